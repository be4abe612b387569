import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsMessage, looksLikeDns, MAX_DNS_NAMES, parseDnsMessage } from './dns-parser.js';
import { dnsMessage } from '../../test/flow-batch-builder.js';

function parse(bytes: number[] | Uint8Array, off = 0, end?: number) {
  const data = Uint8Array.from(bytes);
  const m = createDnsMessage();
  const ok = parseDnsMessage(data, off, end ?? data.length, m);
  return { ok, m };
}

const header = (id: number, flags: number, qd: number, an: number) =>
  [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, 0, 0, 0];

test('query and response: id, QR flag, question and A answer', () => {
  const q = parse(dnsMessage(0xbeef, false, 'www.example.com'));
  assert.equal(q.ok, true);
  assert.deepEqual([q.m.id, q.m.isResponse, q.m.questions, q.m.lastQuestion], [0xbeef, false, ['www.example.com'], 'www.example.com']);
  const r = parse(dnsMessage(0xbeef, true, 'www.example.com', [1, 2, 3, 4]));
  assert.deepEqual([r.m.isResponse, r.m.answers], [true, ['1.2.3.4']]);
});

test('compressed CNAME and AAAA answers; the root name renders as <Root>', () => {
  const bytes = [
    ...header(1, 0x8180, 1, 2),
    3, 0x77, 0x77, 0x77, 1, 0x61, 0, 0, 1, 0, 1, // www.a
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 4, 1, 0x62, 0xc0, 16, // CNAME b.a (pointer to "a")
    0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 1, 0, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
  ];
  const { m } = parse(bytes);
  assert.deepEqual(m.answers, ['b.a', '2001:db8::1']);
  assert.deepEqual(parse([...header(2, 0, 1, 0), 0, 0, 2, 0, 1]).m.questions, ['<Root>']);
});

test('tshark keeps the last question of a message; at most MAX_DNS_NAMES are rendered', () => {
  const qs: number[] = [];
  for (let k = 0; k < 12; k++) qs.push(1, 0x61 + k, 0, 0, 12, 0, 1);
  const { m } = parse([...header(0, 0, 12, 0), ...qs]);
  assert.equal(m.questions.length, MAX_DNS_NAMES);
  assert.equal(m.lastQuestion, 'l');
});

test('hostile input: pointer loops, forward pointers past the end, truncation, short header', () => {
  const loop = parse([...header(3, 0, 1, 0), 0xc0, 12, 0, 1, 0, 1]);
  assert.equal(loop.ok, true);
  assert.equal(loop.m.lastQuestion, null);
  assert.equal(parse([...header(3, 0, 1, 0), 0xc0, 200]).m.lastQuestion, null);
  assert.equal(parse([...header(3, 0, 1, 0), 5, 0x61, 0x62]).m.lastQuestion, null);
  assert.equal(parse([1, 2, 3]).ok, false);
  const full = dnsMessage(9, false, 'abc.de');
  for (let cut = 0; cut <= full.length; cut++) parse(full, 0, cut); // never throws
  // `end` bounds the parse even when the buffer goes on.
  assert.equal(parse(full, 0, full.length - 5).m.lastQuestion, null);
});

test('non-UTF-8 label bytes are printed as tshark prints them', () => {
  const { m } = parse([...header(4, 0, 1, 0), 4, 0x61, 0xed, 0xbf, 0x64, 0, 0, 1, 0, 1]);
  assert.equal(m.lastQuestion, 'a\ufffdd');
});

test('looksLikeDns follows Wireshark\'s UDP heuristic', () => {
  const q = dnsMessage(1, false, 'x.org');
  assert.equal(looksLikeDns(q, 0, q.length, q.length), true);
  const r = dnsMessage(1, true, 'x.org', [1, 1, 1, 1]);
  assert.equal(looksLikeDns(r, 0, r.length, r.length), true);
  const withAnswer = Uint8Array.from(q);
  withAnswer[7] = 1; // a query with an answer record
  assert.equal(looksLikeDns(withAnswer, 0, q.length, q.length), false);
  const opcode = Uint8Array.from(q);
  opcode[2] = 0x28; // opcode 5 (update)
  assert.equal(looksLikeDns(opcode, 0, q.length, q.length), false);
  assert.equal(looksLikeDns(new Uint8Array(12), 0, 12, 12), false, 'header only');
  const zeros = new Uint8Array(40);
  assert.equal(looksLikeDns(zeros, 0, 40, 40), false, 'no question and no answer');
});
