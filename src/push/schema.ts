import { DomainError } from "../errors.js";
import { vapidKeys } from "../delivery/vapid.js";
import { builder } from "../schema/builder.js";
import { viewerOf } from "../schema/context.js";
import { registerWebPushSubscription, unregisterWebPushSubscription } from "./subscriptions.js";

// Not a relay Node: a subscription is its owner's alone (not even their admins look it up by id).
builder.prismaObject("WebPushSubscription", {
  description: "A browser the caller subscribed to push notifications from (Push API). Only its owner sees it.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The subscription's id." }),
    endpoint: t.exposeString("endpoint", { description: "The push service URL the browser gave (PushSubscription.endpoint)." }),
    userAgent: t.exposeString("userAgent", { nullable: true, description: "The browser, as the page reported it when subscribing." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the browser first subscribed." }),
  }),
});

const WebPushSubscriptionKeysInput = builder.inputType("WebPushSubscriptionKeysInput", {
  description: "PushSubscription.toJSON().keys.",
  fields: (t) => ({
    p256dh: t.string({ required: true, description: "The browser's P-256 public key, base64url (65 bytes, uncompressed)." }),
    auth: t.string({ required: true, description: "The subscription's authentication secret, base64url (16 bytes)." }),
  }),
});

const RegisterWebPushSubscriptionInput = builder.inputType("RegisterWebPushSubscriptionInput", {
  description: "A browser push subscription: pass PushSubscription.toJSON() plus navigator.userAgent.",
  fields: (t) => ({
    endpoint: t.string({ required: true, description: "PushSubscription.endpoint: an https URL of the browser's push service (at most 2048 characters)." }),
    keys: t.field({ type: WebPushSubscriptionKeysInput, required: true, description: "The keys the payload is encrypted for (RFC 8291)." }),
    userAgent: t.string({ required: false, description: "The browser, for the user's list of devices (at most 512 characters)." }),
  }),
});

builder.queryField("webPushPublicKey", (t) =>
  t.string({
    description:
      "The VAPID public key (base64url) a browser passes as `applicationServerKey` to `pushManager.subscribe()`. Public; error code CONFLICT when the server has no VAPID keys (production without VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY).",
    resolve: (_root, _args, ctx) => {
      const keys = vapidKeys(ctx.runtime.config);
      if (!keys) throw new DomainError("CONFLICT", "web push is not configured on this server");
      return keys.publicKey;
    },
  }),
);

builder.mutationField("registerWebPushSubscription", (t) =>
  t.prismaField({
    type: "WebPushSubscription",
    description:
      "Registers the caller's browser for push notifications (any logged-in user, for themselves). Re-registering an endpoint updates its keys; an endpoint another user of the organization registered moves to the caller (one browser, one user). Keeps the 20 newest per user. Errors: UNAUTHENTICATED, BAD_USER_INPUT (endpoint not https, malformed keys, endpoint registered in another organization).",
    authScopes: { loggedIn: true },
    args: { input: t.arg({ type: RegisterWebPushSubscriptionInput, required: true, description: "The browser's PushSubscription." }) },
    resolve: async (query, _root, { input }, ctx) => {
      const viewer = viewerOf(ctx);
      const created = await registerWebPushSubscription(ctx.db, ctx.runtime.config, viewer, input);
      return ctx.db.webPushSubscription.findUniqueOrThrow({ ...query, where: { id: created.id } });
    },
  }),
);

builder.mutationField("unregisterWebPushSubscription", (t) =>
  t.boolean({
    description: "Stops push notifications to the caller's browser of that endpoint (call it after PushSubscription.unsubscribe()). True when one was removed, false when the caller had none. Errors: UNAUTHENTICATED, BAD_USER_INPUT.",
    authScopes: { loggedIn: true },
    args: { endpoint: t.arg.string({ required: true, description: "PushSubscription.endpoint (at most 2048 characters)." }) },
    resolve: (_root, { endpoint }, ctx) => unregisterWebPushSubscription(ctx.db, viewerOf(ctx), endpoint),
  }),
);

builder.queryField("webPushSubscriptions", (t) =>
  t.prismaField({
    type: ["WebPushSubscription"],
    description: "The caller's subscribed browsers, newest first (at most 20). Errors: UNAUTHENTICATED.",
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.db.webPushSubscription.findMany({ ...query, where: { userId: viewerOf(ctx).userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 20 }),
  }),
);
