/**
 * Sends one batch as text/plain, which needs no CORS preflight: sendBeacon, which survives the
 * page being closed, else fetch with keepalive. Nothing is retried and nothing is read back.
 */
export const send = (url: string, body: string): void => {
  try {
    if (navigator.sendBeacon(url, body)) return;
  } catch {
    // No sendBeacon, or a host page that broke it: fetch below.
  }
  // A rejection would reach the host's unhandledrejection handlers (and error trackers).
  fetch(url, { method: 'POST', body, keepalive: true }).catch(() => {});
};
