/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on
 * every platform, so a trained model and its scores reproduce exactly. Not for cryptography.
 */

/** A generator of floats in [0, 1). */
export type RandomSource = () => number;

/** mulberry32 seeded with a 32-bit integer (other numbers are reduced to 32 bits). */
export function seededRandom(seed: number): RandomSource {
  let a = Math.trunc(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomInt(random: RandomSource, n: number): number {
  return Math.floor(random() * n);
}
