import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyOpenError, classifyPcapError, effectiveFilter, MAX_SNAPLEN, permissionMessage, validateCaptureOptions } from './capture-options.js';
import { dltOfArphrd, linkTypeOfDlt, pcapError } from './pcap-live-binding.js';
import { ringPath } from './pcapng-writer.js';

test('defaults are filled and limits kept', () => {
  const r = validateCaptureOptions({ interface: 'lo', count: 10 });
  assert.deepEqual(r, {
    ok: true,
    value: {
      interface: 'lo', filter: '', snaplen: MAX_SNAPLEN, durationSeconds: null, count: 10, bufferBytes: 32 * 1024 * 1024,
      promiscuous: true, excludeTcpPorts: [],
    },
  });
});

test("this host's own UI traffic is left out by the filter the device gets", () => {
  assert.equal(effectiveFilter({ filter: 'udp', excludeTcpPorts: [] }), 'udp');
  assert.equal(effectiveFilter({ filter: '', excludeTcpPorts: [5170] }), 'not (tcp port 5170)');
  assert.equal(effectiveFilter({ filter: 'host 10.0.0.1 or udp', excludeTcpPorts: [5170, 8080] }), '(host 10.0.0.1 or udp) and not (tcp port 5170 or tcp port 8080)');
  const r = validateCaptureOptions({ interface: 'lo', promiscuous: false, excludeTcpPorts: [5170, 5170] });
  assert.ok(r.ok);
  assert.equal(r.value.promiscuous, false);
  assert.deepEqual(r.value.excludeTcpPorts, [5170]);
  const bad = validateCaptureOptions({ interface: 'lo', excludeTcpPorts: [70000] });
  assert.equal(bad.ok, false);
});

test('each bad field gives an error naming that field', () => {
  const cases: [Parameters<typeof validateCaptureOptions>[0], string, RegExp][] = [
    [{ interface: '' }, 'interface', /^interface: /],
    [{ interface: 'lo', filter: 'udp\0' }, 'filter', /^filter: /],
    [{ interface: 'lo', snaplen: 70000 }, 'snaplen', /^snaplen: .*70000/],
    [{ interface: 'lo', snaplen: 1.5 }, 'snaplen', /^snaplen: /],
    [{ interface: 'lo', durationSeconds: 0 }, 'durationSeconds', /^duration: /],
    [{ interface: 'lo', durationSeconds: Number.NaN }, 'durationSeconds', /^duration: /],
    [{ interface: 'lo', count: -1 }, 'count', /^count: .*-1/],
    [{ interface: 'lo', count: 2.5 }, 'count', /^count: /],
    [{ interface: 'lo', bufferBytes: 10 }, 'bufferBytes', /^buffer size: /],
  ];
  for (const [input, field, message] of cases) {
    const r = validateCaptureOptions(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) {
      assert.equal(r.error.field, field);
      assert.equal(r.error.code, 'invalid_argument');
      assert.match(r.error.message, message);
    }
  }
});

test('a refused open says exactly what to run, with the resolved binary, and no stack', () => {
  const e = classifyOpenError('eth0', 'tcp', "eth0: You don't have permission to perform this capture on that device (socket: Operation not permitted)", true);
  assert.equal(e.code, 'permission_denied');
  assert.equal(e.field, 'interface');
  assert.match(e.message, /sudo setcap cap_net_raw,cap_net_admin=eip \/\S+/);
  assert.match(e.message, /run flowbench elevated/);
  assert.doesNotMatch(e.message, /\n/);
  assert.match(permissionMessage('lo', 'x'), /CAP_NET_RAW and CAP_NET_ADMIN/);
});

test('an open failure after the device opened without the filter is a filter error', () => {
  const e = classifyOpenError('lo', 'udp prt 1', "can't parse filter expression: syntax error", true);
  assert.deepEqual(e, {
    field: 'filter', code: 'invalid_argument',
    message: `filter: invalid capture filter "udp prt 1": can't parse filter expression: syntax error`,
  });
  assert.equal(classifyOpenError('nope0', '', 'nope0: No such device exists', false).code, 'not_found');
  assert.equal(classifyOpenError('lo', '', 'something else', false).code, 'io_error');
});

test("the addon's error kinds map to the field at fault, the permission one saying what to run", () => {
  assert.deepEqual(classifyPcapError('lo', 'udp prt 1', pcapError('filter', "can't parse filter expression: syntax error")), {
    field: 'filter', code: 'invalid_argument',
    message: `filter: invalid capture filter "udp prt 1": can't parse filter expression: syntax error`,
  });
  const missing = classifyPcapError('nope0', '', pcapError('no_such_device', 'nope0: No such device exists'));
  assert.equal(missing.field, 'interface');
  assert.equal(missing.code, 'not_found');
  assert.match(missing.message, /^interface: cannot open "nope0"/);
  const perm = classifyPcapError('lo', '', pcapError('permission', "lo: You don't have permission to perform this capture on that device"));
  assert.equal(perm.code, 'permission_denied');
  assert.match(perm.message, /sudo setcap cap_net_raw,cap_net_admin=eip \/\S+/);
});

test('DLT values map to LINKTYPE_ numbers; Linux device types to the DLT a capture will get', () => {
  assert.equal(linkTypeOfDlt(1), 1);
  assert.equal(linkTypeOfDlt(12), 101);
  assert.equal(linkTypeOfDlt(113), 113);
  assert.equal(linkTypeOfDlt(276), 276);
  assert.equal(dltOfArphrd(772, 'lo'), 1);
  assert.equal(dltOfArphrd(1, 'eth0'), 1);
  assert.equal(dltOfArphrd(65534, 'tun0'), 12);
  assert.equal(dltOfArphrd(null, 'any'), 113);
  assert.equal(dltOfArphrd(801, 'wpan0'), null);
});

test('ring file names number the files before the extension', () => {
  assert.equal(ringPath('/tmp/a/out.pcapng', 3), '/tmp/a/out_00003.pcapng');
  assert.equal(ringPath('/tmp/a.b/out', 12), '/tmp/a.b/out_00012');
});
