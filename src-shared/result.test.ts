import { test } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok } from './result.js';

test('ok and err build discriminated results', () => {
  const a = ok(3);
  const b = err({ code: 'corrupt', message: 'bad block at offset 12' });
  assert.equal(a.ok && a.value, 3);
  assert.equal(!b.ok && b.error.code, 'corrupt');
});
