// Aviso web push: a sample service worker. Serve it from your app's origin (e.g. /aviso-sw.js)
// and register it with subscribe.js. Aviso's push payload is JSON:
//   { "title", "body", "url", "notificationId", "tag" }
// `tag` is one per conversation (or alert): a burst replaces one system notification
// instead of stacking a dozen.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let payload;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  if (!payload) return;
  event.waitUntil(
    (async () => {
      // Tell open tabs first (they may show it in-app instead), then the system notification.
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const tab of tabs) tab.postMessage({ type: "aviso-push", payload });
      await self.registration.showNotification(payload.title, {
        body: payload.body,
        tag: payload.tag,
        renotify: true,
        data: { url: payload.url, notificationId: payload.notificationId },
      });
    })(),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (!url) return;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = tabs.find((tab) => tab.url === url);
      if (open) return open.focus();
      return self.clients.openWindow(url);
    })(),
  );
});

// The browser rotated the subscription (rare): the page re-registers on its next load.
self.addEventListener("pushsubscriptionchange", () => {});
