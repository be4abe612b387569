import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { resolveAppAsset } from './app-asset-path.js';
import { CONTENT_SECURITY_POLICY } from './content-security-policy.js';
import { APP_SCHEME } from './url-policy.js';

/**
 * Declares `app://` a standard, secure scheme (a real origin for `'self'` in the CSP, fetch
 * allowed, no bypass of CSP). Must run before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/**
 * Serves the built renderer (dist-renderer/) at `app://flowbench/`. Only files inside that
 * folder are reachable; each response carries the CSP (also added by hardenSession, so a page
 * is covered whichever path Electron takes).
 */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const asset = resolveAppAsset(rendererDir, request.url);
    if (asset === null || request.method !== 'GET') return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(asset.file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': asset.contentType,
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
