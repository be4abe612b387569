/**
 * What the shell lets a page reach: the app's own pages (served from `app://flowbench/`) and,
 * opened in the user's browser, https links to an allow-list of hosts. Everything else is
 * denied. Pure (no electron) so the decisions are unit-tested.
 */

/** The custom scheme the renderer is served from (registered as standard and secure). */
export const APP_SCHEME = 'app';

/** Host part of every app page URL; with the scheme it forms the page origin. */
export const APP_HOST = 'flowbench';

/** Origin of the app's pages. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Hosts whose https pages may be opened in the user's browser (documentation, the project). */
export const EXTERNAL_HOST_ALLOW_LIST: readonly string[] = [
  'github.com',
  'www.wireshark.org',
  'wiki.wireshark.org',
  'www.tcpdump.org',
];

/** What to do with a navigation or window.open request. */
export type NavigationDecision = 'deny' | 'open-external';

/** Parses a URL, or null when it is not one. */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when the URL is one of the app's own pages (exact scheme and host, no credentials). */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/**
 * Decides a navigation (`will-navigate`, `will-redirect`) or `window.open`: the window never
 * leaves the app page; an https URL to an allow-listed host (default port, no credentials) is
 * opened in the user's browser instead; anything else is dropped.
 */
export function decideNavigation(url: string, allowList: readonly string[] = EXTERNAL_HOST_ALLOW_LIST): NavigationDecision {
  const u = parseUrl(url);
  if (u === null || u.protocol !== 'https:' || u.port !== '' || u.username !== '' || u.password !== '') return 'deny';
  return allowList.includes(u.hostname.toLowerCase()) ? 'open-external' : 'deny';
}

/**
 * True when an IPC message comes from our page: the sending frame still exists and shows an
 * app URL. A frame that navigated away, an iframe of another origin or a destroyed frame fails.
 */
export function isTrustedSender(frameUrl: string | null | undefined): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl);
}
