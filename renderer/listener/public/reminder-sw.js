/**
 * The listener page's service worker (served at /reminder-sw.js, scope /): it shows a reminder's
 * push as a notification and, when the notification is clicked, focuses the Space's tab or opens
 * it. Only links to this server's own pages are opened (a payload is encrypted and signed by this
 * server, but the worker trusts no URL it did not serve).
 */
/* global self, clients */

function sameOriginUrl(url) {
  try {
    const parsed = new URL(url, self.registration.scope);
    return parsed.origin === self.location.origin ? parsed.href : null;
  } catch {
    return null;
  }
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title.slice(0, 200) : 'Spacecraft';
  const url = (typeof data.url === 'string' && sameOriginUrl(data.url)) || self.registration.scope;
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === 'string' ? data.body.slice(0, 500) : '',
      tag: typeof data.tag === 'string' ? data.tag.slice(0, 100) : undefined,
      data: { url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = sameOriginUrl(event.notification.data && event.notification.data.url) || self.registration.scope;
  event.waitUntil(
    clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === url && 'focus' in client) return client.focus();
      }
      return clients.openWindow(url);
    }),
  );
});
