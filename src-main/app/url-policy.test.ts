import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY } from './content-security-policy.js';
import { APP_ENTRY_URL, decideNavigation, isAppUrl, isTrustedSender } from './url-policy.js';

test('app pages are exactly app://flowbench/…', () => {
  assert.equal(isAppUrl(APP_ENTRY_URL), true);
  assert.equal(isAppUrl('app://flowbench/assets/index-abc.js'), true);
  assert.equal(isAppUrl('app://flowbench.evil.com/index.html'), false);
  assert.equal(isAppUrl('app://other/index.html'), false);
  assert.equal(isAppUrl('app://user:pw@flowbench/index.html'), false);
  assert.equal(isAppUrl('file:///work/main/dist-renderer/index.html'), false);
  assert.equal(isAppUrl('https://flowbench/'), false);
  assert.equal(isAppUrl('not a url'), false);
});

test('navigation leaves the app only for allow-listed https hosts, in the browser', () => {
  assert.equal(decideNavigation('https://github.com/flowbench/flowbench/issues'), 'open-external');
  assert.equal(decideNavigation('https://www.wireshark.org/docs/'), 'open-external');
  assert.equal(decideNavigation('https://GITHUB.com/x'), 'open-external');
  assert.equal(decideNavigation('http://github.com/'), 'deny', 'plain http');
  assert.equal(decideNavigation('https://github.com.evil.example/'), 'deny', 'suffix trick');
  assert.equal(decideNavigation('https://evil.example/?github.com'), 'deny');
  assert.equal(decideNavigation('https://user@github.com/'), 'deny', 'credentials');
  assert.equal(decideNavigation('https://github.com:8443/'), 'deny', 'odd port');
  assert.equal(decideNavigation('file:///etc/passwd'), 'deny');
  assert.equal(decideNavigation('javascript:alert(1)'), 'deny');
  assert.equal(decideNavigation(APP_ENTRY_URL), 'deny', 'even our own page is not a navigation target');
  assert.equal(decideNavigation('https://example.com/', ['example.com']), 'open-external');
});

test('only our page may send IPC', () => {
  assert.equal(isTrustedSender('app://flowbench/index.html#/flows'), true);
  assert.equal(isTrustedSender(null), false, 'destroyed frame');
  assert.equal(isTrustedSender(undefined), false);
  assert.equal(isTrustedSender(''), false);
  assert.equal(isTrustedSender('https://github.com/'), false);
  assert.equal(isTrustedSender('about:blank'), false);
});

test("the CSP allows only the app's own scripts, styles and connections", () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d] as const));
  assert.equal(directives.get('default-src'), "default-src 'self'");
  assert.equal(directives.get('script-src'), "script-src 'self'");
  assert.equal(directives.get('style-src'), "style-src 'self' 'unsafe-inline'");
  assert.equal(directives.get('img-src'), "img-src 'self' data: blob:");
  assert.equal(directives.get('connect-src'), "connect-src 'self'");
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|\*/);
});
