import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACKET_LENGTH_BUCKETS, packetLengthBucket } from './window-metrics.js';

test('packetLengthBucket agrees with the bucket table at every boundary', () => {
  for (let len = 0; len < 12000; len++) {
    const i = packetLengthBucket(len);
    const b = PACKET_LENGTH_BUCKETS[i];
    assert.ok(b && len >= b.min && len <= b.max, `len ${len} → bucket ${i}`);
  }
  assert.equal(packetLengthBucket(80066), 9);
});
