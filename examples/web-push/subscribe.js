// Aviso web push: the page side. An ES module; call `enableAvisoPush({ graphqlUrl, token })`
// from a click handler (browsers ask for notification permission only after a user gesture).
//
//   import { enableAvisoPush } from "./subscribe.js";
//   button.onclick = () => enableAvisoPush({ graphqlUrl: "https://aviso.example.com/graphql", token });

/** POSTs one GraphQL operation to Aviso with the user's token; throws on GraphQL errors. */
export async function avisoRequest({ graphqlUrl, token }, query, variables = {}) {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = await response.json();
  if (result.errors?.length) throw new Error(`${result.errors[0].extensions?.code ?? "ERROR"}: ${result.errors[0].message}`);
  return result.data;
}

/** Registers the service worker and waits until it is active. */
export async function registerServiceWorker(scriptUrl = "/aviso-sw.js") {
  await navigator.serviceWorker.register(scriptUrl);
  return navigator.serviceWorker.ready;
}

/** "BASE64URL" → Uint8Array, as pushManager.subscribe wants the VAPID key. */
export function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Hands a PushSubscription (its toJSON()) to Aviso. */
export async function registerWithAviso(aviso, subscriptionJson) {
  const data = await avisoRequest(
    aviso,
    `mutation ($input: RegisterWebPushSubscriptionInput!) { registerWebPushSubscription(input: $input) { id endpoint } }`,
    { input: { endpoint: subscriptionJson.endpoint, keys: subscriptionJson.keys, userAgent: navigator.userAgent } },
  );
  return data.registerWebPushSubscription;
}

/** Turns WEB_PUSH on for the notification types the user wants pushed (it is off by default). */
export async function turnOnPush(aviso, types = ["NEW_MESSAGE", "CONVERSATION_ASSIGNED", "SLA_WARNING", "ALERT_CREATED", "ALERT_ESCALATED"]) {
  await avisoRequest(
    aviso,
    `mutation ($channels: [ChannelPreferenceInput!]) { updateNotificationPreferences(input: { channels: $channels }) { notifyOnNewMessage } }`,
    { channels: types.map((type) => ({ type, channel: "WEB_PUSH", enabled: true })) },
  );
}

/** The whole flow: worker, permission, subscription with Aviso's VAPID key, registration, preferences. */
export async function enableAvisoPush(aviso, scriptUrl) {
  const registration = await registerServiceWorker(scriptUrl);
  if ((await Notification.requestPermission()) !== "granted") throw new Error("notification permission denied");
  const { webPushPublicKey } = await avisoRequest(aviso, "{ webPushPublicKey }");
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(webPushPublicKey) }));
  const registered = await registerWithAviso(aviso, subscription.toJSON());
  await turnOnPush(aviso);
  return registered;
}

/** Logging out: stop pushes to this browser for this user. */
export async function disableAvisoPush(aviso) {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return false;
  await avisoRequest(aviso, `mutation ($endpoint: String!) { unregisterWebPushSubscription(endpoint: $endpoint) }`, { endpoint: subscription.endpoint });
  return subscription.unsubscribe();
}
