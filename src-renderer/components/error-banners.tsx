/** Error banners: one sentence each, dismissible. */
import type { JSX } from 'react';
import { useNotices } from '../stores/notices-store.js';

/** Every current error sentence. */
export function ErrorBanners(): JSX.Element | null {
  const notices = useNotices((s) => s.notices);
  const dismiss = useNotices((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <>
      {notices.map((n) => (
        <ErrorMessage key={n.id} message={n.message} onDismiss={() => dismiss(n.id)} />
      ))}
    </>
  );
}

/** One error sentence (data-testid="error-message"). */
export function ErrorMessage({ message, onDismiss }: { message: string; onDismiss?: () => void }): JSX.Element {
  return (
    <div className="banner" role="alert" data-testid="error-message">
      <span className="msg">{message}</span>
      {onDismiss !== undefined && (
        <button className="link" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}
