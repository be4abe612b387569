import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { resolveAppAsset } from './app-asset-path.js';

const root = resolve('/opt/flowbench/dist-renderer');

test('app URLs map to files in the renderer folder with their content type', () => {
  assert.deepEqual(resolveAppAsset(root, 'app://flowbench/'), { file: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
  assert.deepEqual(resolveAppAsset(root, 'app://flowbench/assets/index-1a2b.js'), {
    file: join(root, 'assets', 'index-1a2b.js'),
    contentType: 'text/javascript; charset=utf-8',
  });
  assert.equal(resolveAppAsset(root, 'app://flowbench/assets/app.css?v=2')?.contentType, 'text/css; charset=utf-8');
  assert.equal(resolveAppAsset(root, 'app://flowbench/flows/42')?.file, join(root, 'index.html'), 'client route');
  assert.equal(resolveAppAsset(root, 'app://flowbench/x.bin')?.contentType, 'application/octet-stream');
});

test('nothing outside the renderer folder or another host is served', () => {
  assert.equal(resolveAppAsset(root, 'app://flowbench/../../etc/passwd.txt')?.file, join(root, 'etc', 'passwd.txt'), 'URL parsing normalises ..');
  assert.equal(resolveAppAsset(root, 'app://flowbench/%2e%2e/%2e%2e/etc/passwd.txt')?.file, join(root, 'etc', 'passwd.txt'), 'so is %2e%2e');
  assert.equal(resolveAppAsset(root, 'app://flowbench/..%2f..%2fsecret.json'), null);
  assert.equal(resolveAppAsset(root, 'app://flowbench/a%5c..%5c..%5csecret.json'), null, 'backslash');
  assert.equal(resolveAppAsset(root, 'app://flowbench/a%00.js'), null, 'NUL');
  assert.equal(resolveAppAsset(root, 'app://flowbench/%E0%A4%A.js'), null, 'bad escape');
  assert.equal(resolveAppAsset(root, 'app://other/index.html'), null);
  assert.equal(resolveAppAsset(root, 'file:///etc/passwd'), null);
});
