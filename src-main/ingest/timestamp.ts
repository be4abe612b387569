/**
 * Capture timestamps as (whole seconds, nanoseconds): conversion from file units and
 * formatting as epoch-second strings. No BigInt: 64-bit tick counts are split into 16/32-bit
 * limbs so every intermediate value stays an exact integer below 2^53.
 */

const TWO16 = 65536;
const TWO32 = 4294967296;
/** 10^0 … 10^10, exact in a double. */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10] as const;
/** 5^9 · 2^9 = 10^9: nanoseconds per second with its power of two factored out. */
const NS_ODD = 1953125;

/** pcapng `if_tsresol` value for microseconds (the default when the option is absent). */
export const TSRESOL_MICRO = 6;
/** pcapng `if_tsresol` value for nanoseconds. */
export const TSRESOL_NANO = 9;

/**
 * Whether an `if_tsresol` byte is one we convert exactly (pcapng draft §4.2: bit 7 clear =
 * 10^-n s, set = 2^-n s). Beyond 10^-19 or 2^-63 a 64-bit tick count cannot reach one second.
 */
export function isSupportedTsresol(tsresol: number): boolean {
  return (tsresol & 0x80) === 0 ? tsresol <= 19 : (tsresol & 0x7f) <= 63;
}

/**
 * Divides the unsigned 64-bit value hi·2^32 + lo by d (an integer, 1 ≤ d ≤ 2^32) given
 * inv = 1 / d: out[0] = quotient, out[1] = remainder. Exact while the quotient is below 2^53.
 *
 * Two steps over 48-bit partial dividends (hi·2^16 + lo's upper half, then the remainder·2^16
 * + lo's lower half), each exact in a double. Multiplying by the reciprocal is off by at most
 * one from the true quotient, which the remainder check corrects.
 */
export function divU64(hi: number, lo: number, d: number, inv: number, out: Float64Array): void {
  const x = hi * TWO16 + (lo >>> 16);
  let qh = Math.floor(x * inv);
  let r = x - qh * d;
  if (r < 0) {
    qh--;
    r += d;
  } else if (r >= d) {
    qh++;
    r -= d;
  }
  const y = r * TWO16 + (lo & 0xffff);
  let ql = Math.floor(y * inv);
  r = y - ql * d;
  if (r < 0) {
    ql--;
    r += d;
  } else if (r >= d) {
    ql++;
    r -= d;
  }
  out[0] = qh * TWO16 + ql;
  out[1] = r;
}

/**
 * Splits a pcapng 64-bit tick count (hi·2^32 + lo, pcapng draft §4.3) at resolution `tsresol`
 * into out[0] = whole seconds and out[1] = nanoseconds (truncated below 1 ns, as Wireshark
 * does). `tsresol` must pass {@link isSupportedTsresol}. Exact whenever the seconds fit in 2^53.
 */
export function ticksToTime(hi: number, lo: number, tsresol: number, out: Float64Array): void {
  if ((tsresol & 0x80) === 0) {
    if (tsresol <= 9) {
      const d = POW10[tsresol] ?? 1;
      divU64(hi, lo, d, 1 / d, out);
      out[1] = (out[1] ?? 0) * (POW10[9 - tsresol] ?? 1);
      return;
    }
    // 10^-10 … 10^-19 s: first whole units of 1e9 ticks, then the remaining power of ten.
    divU64(hi, lo, 1e9, 1e-9, out);
    const q1 = out[0] ?? 0;
    const r1 = out[1] ?? 0;
    const d2 = POW10[tsresol - 9] ?? 1;
    const sec = Math.floor(q1 / d2);
    const r2 = q1 - sec * d2;
    out[0] = sec;
    out[1] = tsresol <= 18
      ? r2 * (POW10[18 - tsresol] ?? 1) + Math.floor(r1 / d2)
      : Math.floor(r2 / (POW10[tsresol - 18] ?? 1));
    return;
  }
  const k = tsresol & 0x7f;
  if (k <= 32) {
    divU64(hi, lo, 2 ** k, 2 ** -k, out);
    const r = out[1] ?? 0; // < 2^k ≤ 2^32, so r · 5^9·2^0 < 2^53
    out[1] = k >= 9 ? Math.floor((r * NS_ODD) / 2 ** (k - 9)) : r * NS_ODD * 2 ** (9 - k);
    return;
  }
  // 2^-33 … 2^-63 s: seconds come from hi alone; the fraction is (a·2^32 + lo) / 2^k.
  const s = k - 32;
  const sec = Math.floor(hi / 2 ** s);
  const a = hi - sec * 2 ** s;
  const big = lo * NS_ODD; // < 2^53
  const bigHi = Math.floor(big / TWO32);
  const c = a * NS_ODD + bigHi; // < 2^53
  const t = k - 9;
  out[0] = sec;
  out[1] = t >= 32 ? Math.floor(c / 2 ** (t - 32)) : c * 2 ** (32 - t) + Math.floor((big - bigHi * TWO32) / 2 ** t);
}

/**
 * Formats an instant as epoch seconds with exactly 9 fraction digits ("1361796995.701161000").
 * `sec` is integral (may be negative or beyond 2^32), 0 ≤ nsec < 1e9.
 */
export function formatEpoch(sec: number, nsec: number): string {
  if (sec < 0 && nsec > 0) {
    // sec + nsec/1e9 lies strictly between sec and sec + 1: print it as −(|sec| − 1).(1e9 − nsec).
    return `-${String(-sec - 1)}.${String(1e9 - nsec).padStart(9, '0')}`;
  }
  return `${String(sec)}.${String(nsec).padStart(9, '0')}`;
}

/** Orders two instants: negative, zero or positive like a sort comparator. */
export function compareTime(secA: number, nsecA: number, secB: number, nsecB: number): number {
  return secA !== secB ? secA - secB : nsecA - nsecB;
}
