/**
 * Static files of the built renderer: files under one root only (no `..`, no symlink escape),
 * SPA fallback to index.html for paths without an extension, and a small page when the
 * renderer is not built.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep, isAbsolute } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Flowbench</title></head>
<body><h1>Flowbench</h1><p>The renderer is not built. Build it (see README), or use the API at
<code>/api/ws</code>.</p></body></html>\n`;

/** Security headers of every answer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self' ws: ; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** Sends a short plain-text answer with the security headers. */
export function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Serves GET/HEAD of static files from `root` (may not exist: then the not-built page). */
export function serveStatic(req: IncomingMessage, res: ServerResponse, root: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed\n');
    return;
  }
  // The URL parser would resolve dot segments away; a request that has them is refused as is.
  const raw = (req.url ?? '/').split('?')[0] ?? '/';
  if (/(^|[/\\])\.\.([/\\]|$)/.test(safeDecode(raw)) || /%2e%2e|%2f|%5c/i.test(raw)) {
    sendText(res, 400, 'bad path\n');
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    sendText(res, 400, 'bad path\n');
    return;
  }
  if (pathname.includes('\0') || pathname.split(/[/\\]/).includes('..')) {
    sendText(res, 400, 'bad path\n');
    return;
  }
  if (!existsSync(join(root, 'index.html'))) {
    sendText(res, 200, NOT_BUILT, 'text/html; charset=utf-8');
    return;
  }
  const file = inside(root, pathname === '/' ? 'index.html' : pathname.slice(1));
  if (file === null) {
    sendText(res, 404, 'not found\n');
    return;
  }
  if (file === 'missing') {
    // SPA routes have no extension; a missing asset is a real 404.
    if (extname(pathname) !== '') sendText(res, 404, 'not found\n');
    else sendFile(req, res, join(root, 'index.html'));
    return;
  }
  sendFile(req, res, file);
}

/** The real path of `rel` under root, 'missing' when absent, null when it escapes root. */
function inside(root: string, rel: string): string | 'missing' | null {
  const realRoot = realpathSync(root);
  const candidate = resolve(realRoot, rel);
  if (!within(realRoot, candidate)) return null;
  if (!existsSync(candidate)) return 'missing';
  const real = realpathSync(candidate);
  if (!within(realRoot, real)) return null;
  const st = statSync(real);
  if (st.isDirectory()) {
    const index = join(real, 'index.html');
    return existsSync(index) ? index : 'missing';
  }
  return st.isFile() ? real : null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function within(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string): void {
  const size = statSync(file).size;
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
