import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBitRate,
  formatByteRateAsBits,
  formatBytes,
  formatCount,
  formatDuration,
  formatEpochString,
  formatMs,
  formatPacketRate,
  formatSecondsAsMs,
} from './format-units.js';

test('bytes use SI prefixes with three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.00 kB');
  assert.equal(formatBytes(1234567), '1.23 MB');
  assert.equal(formatBytes(45_600_000_000), '45.6 GB');
  assert.equal(formatBytes(999_600), '1.00 MB');
});

test('rates are bits per second, byte rates multiplied by 8', () => {
  assert.equal(formatBitRate(12_345_678), '12.3 Mb/s');
  assert.equal(formatBitRate(800), '800 b/s');
  assert.equal(formatByteRateAsBits(1000), '8.00 kb/s');
  assert.equal(formatPacketRate(1234), '1.23 kpkt/s');
  assert.equal(formatPacketRate(12.5), '12.5 pkt/s');
});

test('counts keep every digit', () => {
  assert.equal(formatCount(1234567), '1,234,567');
});

test('latencies and durations pick a unit', () => {
  assert.equal(formatMs(12.34), '12.3 ms');
  assert.equal(formatMs(0.0123), '12.3 µs');
  assert.equal(formatMs(1234), '1.23 s');
  assert.equal(formatMs(null), '–');
  assert.equal(formatSecondsAsMs(0.0421), '42.1 ms');
  assert.equal(formatDuration(0.128), '128 ms');
  assert.equal(formatDuration(89.94), '1 min 29.9 s');
  assert.equal(formatDuration(7500), '2 h 5 min');
});

test('epoch strings keep the file resolution', () => {
  assert.equal(formatEpochString('1278275056.274870000'), '2010-07-04 20:24:16.274870000 UTC');
  assert.equal(formatEpochString('garbage'), 'garbage');
});
