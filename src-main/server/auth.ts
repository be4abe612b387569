/** Who may talk to `flowbench serve`: loopback binds need no token unless one is set. */
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** True when `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** A fresh random token (URL-safe). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Name of the cookie set after a `?token=` visit, so the page's own assets and socket pass. */
export const TOKEN_COOKIE = 'flowbench_token';

/** The token a request carries: `Authorization: Bearer T`, `?token=T`, or the token cookie. */
export function requestToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  if (query !== null) return query;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === TOKEN_COOKIE && v !== undefined) return decodeURIComponent(v);
  }
  return null;
}

/**
 * True unless a browser page of a foreign origin sent the request: without this any web site
 * could drive a loopback server through the visitor's browser. Pages served by this server and
 * pages on this machine's loopback (the renderer's Vite dev server) pass; non-browser clients
 * send no Origin.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === '') return true;
  try {
    const url = new URL(origin);
    return url.host === req.headers.host || isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/** True when no token is required, or the request carries the right one (constant-time compare). */
export function authorized(req: IncomingMessage, token: string | null): boolean {
  if (token === null) return true;
  const given = requestToken(req);
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
