import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsTransactions, MAX_PENDING_PER_FLOW, TcpRequestResponse } from './latency.js';
import { elapsedSeconds } from './packet-time.js';

test('dns.time: a response is timed from the latest query with its id, once', () => {
  const d = new DnsTransactions(4);
  d.query(0, 7, 10, 0);
  d.query(0, 8, 10, 500);
  assert.equal(d.response(0, 8, 10, 2500), 0.000002);
  assert.equal(d.response(0, 7, 10, 100_000_000), 0.1);
  assert.ok(Number.isNaN(d.response(0, 7, 11, 0)), 'a second response is a retransmitted answer');
  assert.ok(Number.isNaN(d.response(0, 9, 11, 0)), 'unknown id');
  assert.ok(Number.isNaN(d.response(1, 8, 11, 0)), 'another flow');
});

test('a query repeated within 5 s of an unanswered one is a retransmission (Wireshark\'s timer)', () => {
  const d = new DnsTransactions(1);
  d.query(0, 1, 100, 0);
  d.query(0, 1, 101, 0);
  assert.equal(d.response(0, 1, 101, 10_000_000), 1.01, 'timed from the first query');
  d.query(0, 2, 200, 0);
  d.query(0, 2, 208, 500_000_000);
  assert.equal(d.response(0, 2, 208, 600_000_000), 0.1, 'more than 5 s later: a new transaction');
  d.query(0, 1, 102, 0);
  assert.equal(d.response(0, 1, 102, 3_000_000), 0.003, 'after an answer the same id starts anew');
});

test('pending queries per flow are capped (oldest forgotten) and freed with the flow', () => {
  const d = new DnsTransactions(2, 100);
  for (let id = 0; id < MAX_PENDING_PER_FLOW + 10; id++) d.query(0, id, 1, 0);
  assert.ok(Number.isNaN(d.response(0, 0, 2, 0)), 'the oldest was forgotten');
  assert.equal(d.response(0, MAX_PENDING_PER_FLOW + 9, 2, 0), 1);
  d.resetFlow(0);
  assert.ok(Number.isNaN(d.response(0, 5, 3, 0)));
  for (let id = 0; id < 60; id++) d.query(1, id, 1, 0);
  assert.equal(d.response(1, 59, 2, 0), 1, 'the global cap still leaves room after a reset');
});

test('TCP request→response: first client payload to first server payload after it, once', () => {
  const t = new TcpRequestResponse(2);
  t.reset(0, true);
  assert.ok(Number.isNaN(t.payload(0, false, 1, 0)), 'a server banner before any request');
  assert.ok(Number.isNaN(t.payload(0, true, 2, 0)));
  assert.ok(Number.isNaN(t.payload(0, true, 2, 5)), 'more request bytes keep the first time');
  assert.equal(t.payload(0, false, 2, 40_000_000), 0.04);
  assert.ok(Number.isNaN(t.payload(0, false, 3, 0)));
  t.reset(1, false);
  t.payload(1, true, 1, 0);
  assert.ok(Number.isNaN(t.payload(1, false, 2, 0)), 'no handshake seen: client unknown');
});

test('elapsedSeconds is exact to the nanosecond even far from the epoch base', () => {
  assert.equal(elapsedSeconds(1_650_000_000, 80, 1_650_000_000, 79), 1e-9);
  assert.equal(elapsedSeconds(11, 279_000_000, 0, 0), 11.279);
});
