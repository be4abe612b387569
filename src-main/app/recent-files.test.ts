import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addRecentFile, parseRecentFiles, removeRecentFile, serializeRecentFiles } from './recent-files.js';

test('Open Recent is newest first, without duplicates, capped', () => {
  let list: readonly string[] = [];
  for (const p of ['/c/a.pcap', '/c/b.pcap', '/c/a.pcap']) list = addRecentFile(list, p);
  assert.deepEqual(list, ['/c/a.pcap', '/c/b.pcap']);
  for (let i = 0; i < 15; i++) list = addRecentFile(list, `/c/${i}.pcapng`);
  assert.equal(list.length, 10);
  assert.equal(list[0], '/c/14.pcapng');
  assert.deepEqual(removeRecentFile(['/x', '/y'], '/x'), ['/y']);
});

test('the saved list round-trips and junk in it is dropped', () => {
  assert.deepEqual(parseRecentFiles(serializeRecentFiles(['/a.pcap', '/b.cap'])), ['/a.pcap', '/b.cap']);
  assert.deepEqual(parseRecentFiles({ files: ['/a', 3, '', '/a', null, 'b\0c', '/b'] }), ['/a', '/b']);
  for (const junk of [null, 'x', [], {}, { files: 'nope' }]) assert.deepEqual(parseRecentFiles(junk), []);
  assert.equal(parseRecentFiles({ files: Array.from({ length: 50 }, (_, i) => `/${i}`) }).length, 10);
});
