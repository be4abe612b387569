import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_UNACKED_PER_DIRECTION, TcpRtt } from './tcp-rtt.js';

const S = 0x02;
const A = 0x10;
const F = 0x01;
const P = 0x08;

/** Time as (sec, ns) from milliseconds. */
function at(ms: number): [number, number] {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

test('data, SYN and FIN are acked by the next sequence number; the RTT is exact to the ns', () => {
  const r = new TcpRtt(4);
  assert.ok(Number.isNaN(r.analyze(0, 0, ...at(0), 100, 0, 0, S)));
  assert.equal(r.analyze(0, 1, ...at(12.5), 900, 101, 0, S | A), 0.0125);
  assert.equal(r.analyze(0, 0, ...at(30), 101, 901, 0, A), 0.0175);
  assert.ok(Number.isNaN(r.analyze(0, 0, ...at(31), 101, 901, 500, P | A)));
  assert.ok(Number.isNaN(r.analyze(0, 1, ...at(40), 901, 300, 0, A)), 'a partial ack matches nothing');
  assert.equal(r.analyze(0, 1, ...at(50), 901, 601, 0, A), 0.019, 'the trimmed segment is still timed from its send');
  assert.ok(Number.isNaN(r.analyze(0, 0, ...at(60), 601, 901, 0, F | A)));
  assert.equal(r.analyze(0, 1, ...at(61), 901, 602, 0, A), 0.001);
  assert.equal(r.rememberedSegments(), 0);
});

test('an ack covering a retransmission and its original is timed from the original', () => {
  const r = new TcpRtt(1);
  r.analyze(0, 0, ...at(0), 1, 1, 100, A);
  r.analyze(0, 0, ...at(200), 1, 1, 100, A); // retransmission
  assert.equal(r.analyze(0, 1, ...at(210), 1, 101, 0, A), 0.21);
});

test('an ack beyond several segments drops them all; only the exact match is timed', () => {
  const r = new TcpRtt(1);
  r.analyze(0, 0, ...at(0), 1, 1, 100, A);
  r.analyze(0, 0, ...at(1), 101, 1, 100, A);
  r.analyze(0, 0, ...at(2), 201, 1, 100, A);
  assert.equal(r.analyze(0, 1, ...at(10), 1, 201, 0, A), 0.009);
  assert.equal(r.rememberedSegments(), 1);
  assert.ok(Number.isNaN(r.analyze(0, 1, ...at(11), 1, 500, 0, A)), 'beyond the last: dropped, not timed');
  assert.equal(r.rememberedSegments(), 0);
});

test('a zero RTT is not reported (tshark shows none) and sequence numbers wrap', () => {
  const r = new TcpRtt(1);
  r.analyze(0, 0, 5, 0, 0xffffff00, 1, 0x200, A);
  assert.ok(Number.isNaN(r.analyze(0, 1, 5, 0, 1, 0x100, 0, A)));
  assert.equal(r.rememberedSegments(), 0);
  r.analyze(0, 0, 5, 0, 0xffffff80, 1, 0x100, A);
  assert.equal(r.analyze(0, 1, 5, 1000, 1, 0x80, 0, A), 0.000001);
});

test('initial RTT: most recent SYN to the first ACK without SYN, shown once it is displayable', () => {
  const r = new TcpRtt(2);
  r.analyze(0, 0, ...at(0), 10, 0, 0, S);
  assert.ok(Number.isNaN(r.handshake(0, ...at(0), S, 0)));
  r.analyze(0, 0, ...at(1000), 10, 0, 0, S); // retransmitted SYN: the RTT counts from it
  r.handshake(0, ...at(1000), S, 0);
  r.analyze(0, 1, ...at(1020), 50, 11, 0, S | A);
  assert.ok(Number.isNaN(r.handshake(0, ...at(1020), S | A, 0)));
  r.analyze(0, 0, ...at(1040), 11, 51, 0, A);
  assert.equal(r.handshake(0, ...at(1040), A, 0), 0.04);
  assert.equal(r.initialRtt(0), 0.04);
  // One-sided capture: the SYN/ACK is missing, the ACK acks nothing remembered; the RTT shows
  // on the first data segment (as tshark's first frame with analysis results).
  r.analyze(1, 0, ...at(0), 10, 0, 0, S);
  r.handshake(1, ...at(0), S, 0);
  r.analyze(1, 0, ...at(55), 11, 51, 0, A);
  assert.ok(Number.isNaN(r.handshake(1, ...at(55), A, 0)));
  r.analyze(1, 0, ...at(56), 11, 51, 100, P | A);
  assert.equal(r.handshake(1, ...at(56), P | A, 100), 0.055);
  r.resetFlow(1);
  assert.ok(Number.isNaN(r.initialRtt(1)));
});

test('port reuse: a SYN whose ISN differs from the first seen in its direction', () => {
  const r = new TcpRtt(1);
  r.analyze(0, 0, 0, 0, 1000, 0, 0, S);
  assert.equal(r.isPortReuse(0, 0, S, 1000), false);
  assert.equal(r.isPortReuse(0, 0, S, 2000), true);
  assert.equal(r.isPortReuse(0, 0, S | A, 2000), false);
  assert.equal(r.isPortReuse(0, 1, S, 2000), false, 'nothing seen in that direction yet');
});

test('memory: at most MAX_UNACKED_PER_DIRECTION per direction, a global cap, freed on reset', () => {
  const r = new TcpRtt(2, 15000);
  for (let k = 0; k < MAX_UNACKED_PER_DIRECTION + 50; k++) r.analyze(0, 0, 0, k, k * 10, 0, 10, A);
  assert.equal(r.rememberedSegments(), MAX_UNACKED_PER_DIRECTION);
  for (let k = 0; k < 8000; k++) r.analyze(1, 0, 0, k, k * 10, 0, 10, A);
  assert.equal(r.rememberedSegments(), 15000, 'the global cap');
  r.resetFlow(0);
  r.resetFlow(1);
  assert.equal(r.rememberedSegments(), 0);
  for (let k = 0; k < 100; k++) r.analyze(1, 0, 0, k, k * 10, 0, 10, A);
  assert.equal(r.rememberedSegments(), 100, 'freed segments are reused');
});
