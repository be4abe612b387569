import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientHelloSni } from './tls-sni-parser.js';
import { clientHello } from '../../test/flow-batch-builder.js';

test('the server_name of a ClientHello, at any offset of the buffer', () => {
  const hello = clientHello('api.example.net');
  assert.equal(parseClientHelloSni(hello, 0, hello.length), 'api.example.net');
  const shifted = new Uint8Array(hello.length + 7);
  shifted.set(hello, 7);
  assert.equal(parseClientHelloSni(shifted, 7, shifted.length), 'api.example.net');
});

test('not a ClientHello: other records, a ServerHello, plain text', () => {
  const hello = clientHello('a.b');
  const server = Uint8Array.from(hello);
  server[5] = 2;
  assert.equal(parseClientHelloSni(server, 0, server.length), undefined);
  const appData = Uint8Array.from(hello);
  appData[0] = 23;
  assert.equal(parseClientHelloSni(appData, 0, appData.length), undefined);
  const http = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: a.b\r\n\r\n');
  assert.equal(parseClientHelloSni(http, 0, http.length), undefined);
});

test('cut short: every prefix is safe; the name needs its extension captured', () => {
  const hello = clientHello('cut.example');
  for (let end = 0; end < hello.length; end++) {
    const v = parseClientHelloSni(hello, 0, end);
    assert.ok(v === undefined || v === null, `end ${end}: ${String(v)}`);
  }
  assert.equal(parseClientHelloSni(hello, 0, hello.length), 'cut.example');
});

test('a ClientHello without server_name gives null', () => {
  const body = [3, 3, ...new Array<number>(32).fill(1), 0, 0, 2, 0x13, 0x01, 1, 0, 0, 0];
  const hs = [1, 0, 0, body.length, ...body];
  const rec = Uint8Array.from([22, 3, 1, 0, hs.length, ...hs]);
  assert.equal(parseClientHelloSni(rec, 0, rec.length), null);
});
