import { extname, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './url-policy.js';

/** A file of the built renderer that an `app://` request maps to. */
export interface AppAsset {
  readonly file: string;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Maps an `app://flowbench/...` URL to a file under the renderer's build folder, or null when
 * the URL is not ours or escapes the folder (`..`, encoded separators). `/` is `index.html`, as
 * is any extension-less path (client-side routes).
 */
export function resolveAppAsset(root: string, requestUrl: string): AppAsset | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || extname(pathname) === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  if (!file.startsWith(base + sep)) return null;
  return { file, contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}
