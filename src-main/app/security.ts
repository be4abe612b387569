import { app, session, shell, type Session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from './content-security-policy.js';
import { APP_ORIGIN, decideNavigation } from './url-policy.js';

/**
 * Session-wide rules: the CSP header on every app page response and no permission ever
 * granted (camera, notifications, geolocation, HID…): the workbench needs none.
 */
export function hardenSession(ses: Session = session.defaultSession): void {
  ses.webRequest.onHeadersReceived({ urls: [`${APP_ORIGIN}/*`] }, (details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/**
 * Rules for every web contents, including any created later: the page never navigates away
 * (reload is not a navigation), never opens windows, never attaches a webview; allow-listed
 * https links open in the user's browser.
 */
export function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    const refuse = (event: { preventDefault(): void }, url: string): void => {
      event.preventDefault();
      openIfAllowed(url);
    };
    contents.on('will-navigate', (event) => refuse(event, event.url));
    contents.on('will-redirect', (event) => refuse(event, event.url));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      openIfAllowed(url);
      return { action: 'deny' };
    });
  });
}

/** Opens an allow-listed https URL in the user's browser; drops anything else. */
function openIfAllowed(url: string): void {
  if (decideNavigation(url) === 'open-external') {
    shell.openExternal(url).catch(() => undefined);
  }
}
