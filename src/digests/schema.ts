import { DigestFrequency } from "../db/client.js";
import { NotificationPreferencesRef } from "../preferences/schema.js";
import { builder } from "../schema/builder.js";
import { viewerOf } from "../schema/context.js";
import { NotificationChannelEnum } from "../schema/enums.js";
import { digestPreferencesOf, updateDigestPreference, type ChannelDigest } from "./preferences.js";

const DigestFrequencyEnum = builder.enumType(DigestFrequency, {
  name: "DigestFrequency",
  description: "How often a channel's notifications go out.",
  values: {
    IMMEDIATE: { description: "Each notification at once (quiet hours and the email limit still apply)." },
    HOURLY: { description: "One digest at the end of each local hour, listing what came in." },
    DAILY: { description: "One digest a day at `dailyAt`, local time." },
  },
});

const ChannelDigestRef = builder.objectRef<ChannelDigest>("ChannelDigest").implement({
  description: "The caller's digest choice for one external channel. Emails over the hourly limit always go to the next digest.",
  fields: (t) => ({
    channel: t.expose("channel", { type: NotificationChannelEnum, description: "The channel." }),
    frequency: t.expose("frequency", { type: DigestFrequencyEnum, description: "IMMEDIATE, HOURLY or DAILY." }),
    dailyAt: t.exposeString("dailyAt", { nullable: true, description: "DAILY: HH:MM, 24h, local to timeZone." }),
    timeZone: t.exposeString("timeZone", { nullable: true, description: "IANA zone of the schedule; null uses the quiet hours' zone, then the organization's." }),
  }),
});

builder.objectField(NotificationPreferencesRef, "digests", (t) =>
  t.field({
    type: [ChannelDigestRef],
    description: "How often each external channel's notifications go out (IMMEDIATE unless chosen). EMAIL, SMS and WEB_PUSH have digests; WhatsApp and Slack are always IMMEDIATE.",
    resolve: (_parent, _args, ctx) => digestPreferencesOf(ctx.db, viewerOf(ctx).userId),
  }),
);

const UpdateDigestPreferenceInput = builder.inputType("UpdateDigestPreferenceInput", {
  description: "One channel's digest choice.",
  fields: (t) => ({
    channel: t.field({ type: NotificationChannelEnum, required: true, description: "The channel; HOURLY and DAILY are accepted for EMAIL (one digest email), SMS (one short SMS) and WEB_PUSH (one push per browser)." }),
    frequency: t.field({ type: DigestFrequencyEnum, required: true, description: "IMMEDIATE, HOURLY or DAILY." }),
    dailyAt: t.string({ required: false, description: "DAILY: HH:MM, 24h (default 18:00)." }),
    timeZone: t.string({ required: false, description: "IANA zone, e.g. America/Sao_Paulo; null uses the quiet hours' zone, then the organization's." }),
  }),
});

builder.mutationField("updateDigestPreference", (t) =>
  t.field({
    type: ChannelDigestRef,
    description: "Sets how often the caller's notifications on one channel go out (any logged-in user, for themselves). Errors: UNAUTHENTICATED, BAD_USER_INPUT (a digest for WHATSAPP, SLACK or IN_APP, a bad time or zone).",
    authScopes: { loggedIn: true },
    args: { input: t.arg({ type: UpdateDigestPreferenceInput, required: true, description: "The channel and its frequency." }) },
    resolve: (_root, { input }, ctx) => updateDigestPreference(ctx.db, viewerOf(ctx), input),
  }),
);
