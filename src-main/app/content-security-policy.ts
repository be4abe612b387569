/**
 * The renderer's Content-Security-Policy, the same one `flowbench serve` sends: scripts and
 * connections only from the app's own origin, inline styles allowed (charts set style
 * attributes), images also from data:/blob: URLs (chart exports).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
