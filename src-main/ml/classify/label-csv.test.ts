import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddr, parseLabelCsv } from './label-csv.js';

test('parseLabelCsv: header aliases, BOM, CRLF, quoted fields, IPv6 in the stored RFC 5952 form', () => {
  const text = '\ufeffClient Addr,server-addr,client_port,server_port,Protocol,Traffic Class,note\r\n'
    + '2001:DB8:0:0:0:0:0:1,::FFFF:10.0.0.1,5000,443,TCP,Web,"a, quoted ""note"""\r\n'
    + '\r\n'
    + '10.0.0.2,10.0.0.3,53,40000,17,dns,\r\n';
  const r = parseLabelCsv(text);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(r.value, [
    { line: 2, target: { kind: 'tuple', src: '2001:db8::1', dst: '::ffff:10.0.0.1', sport: 5000, dport: 443, proto: 6 }, label: 'web' },
    { line: 4, target: { kind: 'tuple', src: '10.0.0.2', dst: '10.0.0.3', sport: 53, dport: 40000, proto: 17 }, label: 'dns' },
  ]);
});

test('parseLabelCsv: a quoted field over two lines keeps the line numbers of the rows after it', () => {
  const r = parseLabelCsv('flow_id,label,note\n7,mail,"two\nlines"\n8,x,\n');
  assert.ok(!r.ok);
  assert.equal(r.error.message, 'line 4, column 2 (label): "x" is not one of web, streaming, conferencing, messaging, dns, mail, file_transfer, vpn_tunnel, other');
});

test('canonicalAddr leaves IPv4 alone and writes IPv6 as the workspace does', () => {
  assert.equal(canonicalAddr('192.0.2.7'), '192.0.2.7');
  assert.equal(canonicalAddr('FE80:0:0:0:1:0:0:0'), 'fe80::1:0:0:0');
  assert.equal(canonicalAddr('0:0:0:0:0:ffff:c000:0207'), '::ffff:192.0.2.7');
});
