import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTime, divU64, formatEpoch, isSupportedTsresol, ticksToTime } from './timestamp.js';

// BigInt is fine here: the tests check the limb arithmetic against exact integer math.

/** Exact reference: (seconds, nanoseconds truncated) of `ticks` at resolution `tsresol`. */
function reference(ticks: bigint, tsresol: number): [number, number] {
  const perSec = (tsresol & 0x80) === 0 ? 10n ** BigInt(tsresol) : 2n ** BigInt(tsresol & 0x7f);
  const sec = ticks / perSec;
  const nsec = ((ticks % perSec) * 1_000_000_000n) / perSec;
  return [Number(sec), Number(nsec)];
}

function split(ticks: bigint): [number, number] {
  return [Number(ticks >> 32n), Number(ticks & 0xffffffffn)];
}

/** Deterministic pseudo-random 64-bit values (xorshift), so failures reproduce. */
function* randomTicks(count: number, seed = 0x9e3779b97f4a7c15n): Generator<bigint> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    // Mix magnitudes: full 64-bit values and realistic epoch tick counts.
    yield i % 3 === 0 ? x : x % 2_000_000_000_000_000_000n;
  }
}

test('formatEpoch prints exactly 9 fraction digits', () => {
  assert.equal(formatEpoch(1361796995, 701161000), '1361796995.701161000');
  assert.equal(formatEpoch(0, 1000), '0.000001000');
  assert.equal(formatEpoch(4294967296, 0), '4294967296.000000000');
  assert.equal(formatEpoch(1722540110, 397706326), '1722540110.397706326');
  assert.equal(formatEpoch(2 ** 40, 999999999), '1099511627776.999999999');
});

test('formatEpoch writes instants before 1970 as one signed decimal', () => {
  assert.equal(formatEpoch(-1, 500000000), '-0.500000000');
  assert.equal(formatEpoch(-5, 0), '-5.000000000');
  assert.equal(formatEpoch(-10, 1), '-9.999999999');
});

test('ticksToTime: microsecond and nanosecond ticks of real epochs', () => {
  const out = new Float64Array(2);
  // 1382197969.322823 s in µs (tcpdump__of13_ericsson.pcapng's first packet)
  ticksToTime(...split(1382197969322823n), 6, out);
  assert.deepEqual([...out], [1382197969, 322823000]);
  // ns epochs exceed 2^53: the limb arithmetic must keep the last digit
  ticksToTime(...split(1722540110397706326n), 9, out);
  assert.deepEqual([...out], [1722540110, 397706326]);
  ticksToTime(...split(9007199254740993n), 9, out); // 2^53 + 1 ns
  assert.deepEqual([...out], [9007199, 254740993]);
});

test('ticksToTime: seconds beyond 2^32 (tcpdump time_2106_overflow)', () => {
  const out = new Float64Array(2);
  ticksToTime(...split(4294967296_000000n), 6, out);
  assert.deepEqual([...out], [4294967296, 0]);
  ticksToTime(...split(0xffffffffffffffffn), 6, out);
  assert.deepEqual([...out], reference(0xffffffffffffffffn, 6));
});

test('ticksToTime: power-of-two resolutions (if_tsresol bit 7)', () => {
  const out = new Float64Array(2);
  // 2^-20 s: 1.5 s + one tick = 1 s + 524289/1048576 s = 1.500000953... s
  ticksToTime(0, 1048576 + 524289, 0x80 | 20, out);
  assert.deepEqual([...out], [1, 500000953]);
  ticksToTime(0, 3, 0x80 | 1, out); // 1.5 s at 2^-1
  assert.deepEqual([...out], [1, 500000000]);
});

test('ticksToTime matches exact integer math for every supported resolution', () => {
  const out = new Float64Array(2);
  const resolutions = [...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 64 }, (_, i) => 0x80 | i)];
  for (const tsresol of resolutions) {
    assert.ok(isSupportedTsresol(tsresol));
    for (const ticks of randomTicks(300)) {
      const [sec, nsec] = reference(ticks, tsresol);
      if (sec >= 2 ** 53) continue; // seconds themselves no longer fit a double exactly
      ticksToTime(...split(ticks), tsresol, out);
      assert.deepEqual([out[0], out[1]], [sec, nsec], `ticks ${ticks} tsresol 0x${tsresol.toString(16)}`);
    }
  }
});

test('isSupportedTsresol rejects exponents a 64-bit count cannot use', () => {
  assert.equal(isSupportedTsresol(20), false);
  assert.equal(isSupportedTsresol(0x80 | 64), false);
  assert.equal(isSupportedTsresol(0xff), false);
});

test('divU64 is exact at quotient and remainder edges', () => {
  const out = new Float64Array(2);
  for (const d of [1, 3, 1000, 999999937, 1e9, 2 ** 31, 2 ** 32 - 1, 2 ** 32]) {
    for (const t of [0n, 1n, BigInt(d) - 1n, BigInt(d), BigInt(d) * 123456789n + BigInt(d) - 1n, 2n ** 64n - 1n, ...randomTicks(50, 7n)]) {
      const q = t / BigInt(d);
      if (q >= 2n ** 53n) continue;
      divU64(...split(t), d, 1 / d, out);
      assert.deepEqual([out[0], out[1]], [Number(q), Number(t % BigInt(d))], `${t} / ${d}`);
    }
  }
});

test('compareTime orders by seconds then nanoseconds', () => {
  assert.ok(compareTime(1, 5, 2, 0) < 0);
  assert.ok(compareTime(2, 5, 2, 4) > 0);
  assert.equal(compareTime(3, 7, 3, 7), 0);
});
