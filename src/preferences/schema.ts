import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { NotificationChannelEnum, NotificationTypeEnum } from "../schema/enums.js";
import type { ChannelPreference } from "./defaults.js";
import { notificationPreferences, type NotificationPreferences } from "./effective.js";
import { updateNotificationPreferences } from "./update.js";

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

const NotificationPreferencesRef = builder.objectRef<NotificationPreferences>("NotificationPreferences").implement({
  description: "The caller's notification settings and the effective type × channel matrix (role defaults, then their own choices).",
  fields: (t) => ({
    whatsappNumber: t.exposeString("whatsappNumber", { nullable: true, description: "E.164, e.g. +5511988880001" }),
    notifyOnNewMessage: t.exposeBoolean("notifyOnNewMessage", {
      description: "The user's switch for new-message notifications outside the app (with the global and organization flags).",
    }),
    quietHours: t.field({ type: QuietHoursRef, nullable: true, resolve: (p) => p.quietHours }),
    channels: t.field({ type: [ChannelPreferenceRef], description: "All 8 types × 4 channels.", resolve: (p) => p.channels }),
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
    whatsappNumber: t.string({ required: false, description: "Any common format (Brazil by default); stored as E.164. null clears it." }),
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
      await updateNotificationPreferences(serviceContextOf(ctx), input);
      return notificationPreferences(serviceContextOf(ctx));
    },
  }),
);
