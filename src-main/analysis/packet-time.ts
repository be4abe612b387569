/**
 * Time differences between two packet timestamps held as (whole seconds, nanoseconds). A single
 * float of epoch seconds carries only about 0.2 µs of precision (and a capture spanning years
 * no better relative to its start), so RTTs and latencies are computed from the parts and come
 * out exact to the nanosecond, like Wireshark's nstime arithmetic.
 */

/** (sec, ns) − (sec0, ns0) in seconds, rounded to 1 ns. */
export function elapsedSeconds(sec: number, ns: number, sec0: number, ns0: number): number {
  return Math.round((sec - sec0) * 1e9 + (ns - ns0)) / 1e9;
}
