import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { NotificationChannelEnum, NotificationTypeEnum } from "../schema/enums.js";
import type { ChannelPreference } from "./defaults.js";
import { notificationPreferences, type NotificationPreferences } from "./effective.js";
import { databaseId } from "../schema/global-id.js";
import { parseInput } from "../validation.js";
import { preferencesInputSchema, updateNotificationPreferences } from "./update.js";
import { confirmNumberVerification, sendNumberVerificationCode, setUserWhatsAppNumber } from "./verify-number.js";

const QuietHoursRef = builder.objectRef<NonNullable<NotificationPreferences["quietHours"]>>("QuietHours").implement({
  description: "A daily window, local to `timeZone`, during which email, WhatsApp and Slack wait; it may cross midnight.",
  fields: (t) => ({
    start: t.exposeString("start", { description: "HH:MM, 24h" }),
    end: t.exposeString("end", { description: "HH:MM, 24h" }),
    timeZone: t.exposeString("timeZone", { description: "IANA time zone" }),
  }),
});

const ChannelPreferenceRef = builder.objectRef<ChannelPreference>("ChannelPreference").implement({
  fields: (t) => ({
    type: t.expose("type", { type: NotificationTypeEnum }),
    channel: t.expose("channel", { type: NotificationChannelEnum }),
    enabled: t.exposeBoolean("enabled"),
  }),
});

export const NotificationPreferencesRef = builder.objectRef<NotificationPreferences>("NotificationPreferences").implement({
  description: "The caller's notification settings and the effective type × channel matrix (role defaults, then their own choices).",
  fields: (t) => ({
    whatsappNumber: t.exposeString("whatsappNumber", { nullable: true, description: "E.164, e.g. +5511988880001: the verified number notifications go to." }),
    pendingWhatsappNumber: t.exposeString("pendingWhatsappNumber", {
      nullable: true,
      description: "A number the caller set that waits for the code sent to it over WhatsApp (confirmWhatsAppNumber); it takes no effect until confirmed.",
    }),
    notifyOnNewMessage: t.exposeBoolean("notifyOnNewMessage", {
      description: "The user's switch for new-message notifications outside the app (with the global and organization flags).",
    }),
    quietHours: t.field({ type: QuietHoursRef, nullable: true, resolve: (p) => p.quietHours }),
    channels: t.field({ type: [ChannelPreferenceRef], description: "Every type × every channel (IN_APP, EMAIL, WHATSAPP, SLACK, WEB_PUSH, SMS).", resolve: (p) => p.channels }),
  }),
});

const QuietHoursInput = builder.inputType("QuietHoursInput", {
  fields: (t) => ({
    start: t.string({ required: true, description: "HH:MM, 24h, e.g. 22:00" }),
    end: t.string({ required: true, description: "HH:MM, 24h, e.g. 07:00" }),
    timeZone: t.string({ required: true, description: "IANA time zone, e.g. America/Sao_Paulo" }),
  }),
});

const ChannelPreferenceInput = builder.inputType("ChannelPreferenceInput", {
  fields: (t) => ({
    type: t.field({ type: NotificationTypeEnum, required: true }),
    channel: t.field({ type: NotificationChannelEnum, required: true }),
    enabled: t.boolean({ required: true }),
  }),
});

const UpdateNotificationPreferencesInput = builder.inputType("UpdateNotificationPreferencesInput", {
  description: "Fields left out stay as they are.",
  fields: (t) => ({
    whatsappNumber: t.string({
      required: false,
      description:
        "Any common format (Brazil by default); stored as E.164. null clears it. A new number takes effect only after confirmWhatsAppNumber with the code sent to it (ORG_ADMINs' own numbers at once); RATE_LIMITED after 5 codes an hour.",
    }),
    notifyOnNewMessage: t.boolean({ required: false }),
    quietHours: t.field({ type: QuietHoursInput, required: false, description: "null clears the quiet hours." }),
    channels: t.field({ type: [ChannelPreferenceInput], required: false }),
  }),
});

builder.queryField("notificationPreferences", (t) =>
  t.field({
    type: NotificationPreferencesRef,
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => notificationPreferences(serviceContextOf(ctx)),
  }),
);

builder.mutationField("updateNotificationPreferences", (t) =>
  t.field({
    type: NotificationPreferencesRef,
    authScopes: { loggedIn: true },
    args: { input: t.arg({ type: UpdateNotificationPreferencesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { verificationPending } = await updateNotificationPreferences(serviceContextOf(ctx), input);
      if (verificationPending) await sendNumberVerificationCode(serviceContextOf(ctx));
      return notificationPreferences(serviceContextOf(ctx));
    },
  }),
);

builder.mutationField("confirmWhatsAppNumber", (t) =>
  t.field({
    type: NotificationPreferencesRef,
    description:
      "Confirms the caller's pending WhatsApp number with the 6-digit code sent to it; the number then takes effect. Any signed-in user. BAD_USER_INPUT for a wrong, expired or exhausted code (5 tries) or when no number is pending.",
    authScopes: { loggedIn: true },
    args: { code: t.arg.string({ required: true, description: "The 6-digit code received over WhatsApp." }) },
    resolve: async (_root, { code }, ctx) => {
      await confirmNumberVerification(serviceContextOf(ctx), code);
      return notificationPreferences(serviceContextOf(ctx));
    },
  }),
);

builder.mutationField("setUserWhatsAppNumber", (t) =>
  t.boolean({
    description:
      "Sets (or with null clears) the WhatsApp notification number of a user of the caller's organization; it takes effect at once, without a code. ORG_ADMIN only (FORBIDDEN otherwise); NOT_FOUND for a user outside the organization; BAD_USER_INPUT for an invalid number.",
    authScopes: { orgAdmin: true },
    args: {
      userId: t.arg.id({ required: true, description: "The user's global id (User.id)." }),
      whatsappNumber: t.arg.string({ required: false, description: "Any common format (Brazil by default); null clears it." }),
    },
    resolve: async (_root, args, ctx) => {
      const number = parseInput(preferencesInputSchema.shape.whatsappNumber, args.whatsappNumber ?? null, "whatsappNumber");
      await setUserWhatsAppNumber(serviceContextOf(ctx), databaseId(String(args.userId), "userId", "User"), number ?? null);
      return true;
    },
  }),
);
