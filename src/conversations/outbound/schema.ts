import { builder } from "../../schema/builder.js";
import { serviceContextOf, viewerOf } from "../../schema/context.js";
import { invalidInput, notFound } from "../../errors.js";
import { databaseId } from "../../schema/global-id.js";
import { filterEvents } from "../filter-events.js";
import { ConversationRef, MessageRef } from "../types.js";
import { mediaOf, type MediaView } from "./media-of.js";
import { GraphApiError } from "./graph-api.js";
import { readableReason } from "./meta-errors.js";
import { customerWindowExpiresAt, sendMessage } from "./send-message.js";
import { syncOwnMessageTemplates } from "../templates/sync.js";

// Agents answering customers: sendMessage, the message's status and media, templates.

export const MediaKindEnum = builder.enumType("MediaKind", {
  description: "A kind of media WhatsApp sends.",
  values: {
    IMAGE: { description: "JPEG or PNG, up to 5 MB." },
    DOCUMENT: { description: "PDF, text or Office files, up to 100 MB." },
    AUDIO: { description: "AAC, AMR, MP3, MP4 audio or OGG (Opus), up to 16 MB." },
    VIDEO: { description: "MP4 or 3GPP, up to 16 MB." },
    STICKER: { description: "WebP, up to 500 KB." },
  } as const,
});

const TEMPLATE_STATUSES = ["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED", "LIMIT_EXCEEDED", "ARCHIVED"] as const;
type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export const TemplateStatusEnum = builder.enumType("TemplateStatus", {
  description: "A WhatsApp template's review status, as Meta reports it. Only APPROVED templates can be sent.",
  values: Object.fromEntries(TEMPLATE_STATUSES.map((s) => [s, { description: `Meta's ${s} status.` }])) as Record<TemplateStatus, { description: string }>,
});

const MediaRef = builder.objectRef<MediaView>("Media").implement({
  description: "A message's file (image, document, audio, video, sticker). Download it with GET /media/{messageId} and the caller's Bearer token.",
  fields: (t) => ({
    kind: t.field({ type: MediaKindEnum, description: "What kind of media it is.", resolve: (m) => m.kind }),
    mediaId: t.string({ nullable: true, description: "Meta's media id (null when sent by link).", resolve: (m) => m.mediaId }),
    mimeType: t.string({ nullable: true, description: "The file's mime type.", resolve: (m) => m.mimeType }),
    sha256: t.string({ nullable: true, description: "The file's SHA-256, as Meta reports it.", resolve: (m) => m.sha256 }),
    fileSize: t.int({ nullable: true, description: "Bytes, when known.", resolve: (m) => m.fileSize }),
    fileName: t.string({ nullable: true, description: "The document's file name.", resolve: (m) => m.fileName }),
    caption: t.string({ nullable: true, description: "The caption shown under the media.", resolve: (m) => m.caption }),
    url: t.string({
      description: "Where the frontend downloads the file: this server's /media/{messageId} (Bearer token of the organization's user), or the https link it was sent from.",
      resolve: (m) => m.link ?? `/media/${m.messageId}`,
    }),
  }),
});

builder.prismaObjectFields(MessageRef, (t) => ({
  sentBy: t.relation("sentBy", { nullable: true, description: "OUTBOUND: the agent who sent it (null for inbound messages)." }),
  error: t.exposeString("error", {
    nullable: true,
    description: "Why a FAILED message failed (Meta's code and a readable reason); while PENDING, why it is waiting to be retried.",
  }),
  errorCode: t.exposeInt("errorCode", { nullable: true, description: "Meta's error code of a FAILED message (131026, 131047, 190…)." }),
  clientMessageId: t.exposeString("clientMessageId", { nullable: true, description: "The idempotency key the frontend sent with sendMessage." }),
  media: t.field({
    type: MediaRef,
    nullable: true,
    description: "The file of an image, document, audio, video or sticker message; null for other messages.",
    select: { payload: true, outbound: true, direction: true },
    resolve: (message) => mediaOf(message),
  }),
  replyTo: t.field({
    type: MessageRef,
    nullable: true,
    description: "The message this one answers: the agent's replyToMessageId, or the message a customer replied to (WhatsApp's context).",
    select: { replyToId: true, payload: true },
    resolve: async (message, _args, ctx) => {
      if (message.replyToId) return ctx.db.message.findUnique({ where: { id: message.replyToId } });
      const context = (message.payload as { context?: { id?: unknown } } | null)?.context;
      if (typeof context?.id !== "string") return null;
      return ctx.db.message.findFirst({ where: { externalId: context.id } });
    },
  }),
}));

builder.prismaObjectFields(ConversationRef, (t) => ({
  customerWindowExpiresAt: t.field({
    type: "DateTime",
    nullable: true,
    description: "When WhatsApp's 24-hour customer-service window closes (24 h after the customer's last message): after it only a template can be sent. Null when the customer never wrote.",
    select: { lastInboundAt: true },
    resolve: (c) => customerWindowExpiresAt(c.lastInboundAt),
  }),
  awaitingReplySince: t.expose("awaitingReplySince", {
    type: "DateTime",
    nullable: true,
    description: "Since when the customer has been waiting for an answer (their oldest unanswered message); null once an agent answered.",
  }),
  firstResponseAt: t.expose("firstResponseAt", { type: "DateTime", nullable: true, description: "When an agent first answered this conversation." }),
}));

const OutboundMediaInput = builder.inputType("OutboundMediaInput", {
  description: "A file to send: an upload (POST /media) or an https link.",
  fields: (t) => ({
    kind: t.field({ type: MediaKindEnum, required: true, description: "How WhatsApp shows it." }),
    uploadId: t.id({ required: false, description: "The uploadId POST /media returned. Give this or url." }),
    url: t.string({ required: false, description: "An https link Meta fetches the file from. Give this or uploadId." }),
    caption: t.string({ required: false, description: "Shown under an image, video or document (at most 1024 characters)." }),
    fileName: t.string({ required: false, description: "A document's file name as the customer sees it." }),
  }),
});

const TemplateMessageInput = builder.inputType("TemplateMessageInput", {
  description: "An approved WhatsApp template (see messageTemplates): the only thing that can be sent outside the 24-hour window.",
  fields: (t) => ({
    name: t.string({ required: true, description: "The template's name." }),
    language: t.string({ required: true, description: "Its language code, e.g. pt_BR." }),
    parameters: t.stringList({ required: false, description: "The body's {{1}}, {{2}}… values, in order; exactly as many as the template has." }),
  }),
});

const SendMessageInput = builder.inputType("SendMessageInput", {
  description: "What an agent sends: exactly one of text, media or template.",
  fields: (t) => ({
    conversationId: t.globalID({ required: true, description: "The conversation to answer." }),
    text: t.string({ required: false, description: "Free text (at most 4096 characters); only within 24 hours of the customer's last message." }),
    media: t.field({ type: OutboundMediaInput, required: false, description: "A file; only within 24 hours of the customer's last message." }),
    template: t.field({ type: TemplateMessageInput, required: false, description: "An approved template; allowed at any time." }),
    replyToMessageId: t.globalID({ required: false, description: "A message of this conversation this one answers (WhatsApp shows it quoted)." }),
    clientMessageId: t.string({
      required: false,
      description: "The frontend's idempotency key (at most 100 characters): the same key in the same conversation returns the first message and sends nothing again.",
    }),
  }),
});

builder.mutationField("sendMessage", (t) =>
  t.prismaField({
    type: MessageRef,
    description:
      "Answers the customer on WhatsApp from the number they wrote to. Returns the OUTBOUND message at once (PENDING); messageUpdated reports SENT, DELIVERED, READ or FAILED. AGENT, ORG_ADMIN, SUPER_ADMIN (VIEWER: FORBIDDEN). Errors: CUSTOMER_WINDOW_CLOSED (free text or media more than 24 h after the customer's last message), BAD_USER_INPUT (not exactly one of text/media/template, unknown or unapproved template, wrong parameter count, unusable upload), NOT_FOUND.",
    authScopes: { agent: true },
    args: { input: t.arg({ type: SendMessageInput, required: true, description: "The message." }) },
    resolve: async (query, _root, { input }, ctx) => {
      const message = await sendMessage(serviceContextOf(ctx), {
        conversationId: databaseId(input.conversationId, "conversationId"),
        text: input.text,
        media: input.media ? { ...input.media, uploadId: input.media.uploadId } : input.media,
        template: input.template,
        replyToMessageId: input.replyToMessageId ? databaseId(input.replyToMessageId, "replyToMessageId") : null,
        clientMessageId: input.clientMessageId,
      });
      return ctx.db.message.findUniqueOrThrow({ ...query, where: { id: message.id } });
    },
  }),
);

builder.subscriptionField("messageUpdated", (t) =>
  t.prismaField({
    type: MessageRef,
    description:
      "An outbound message's status changed (SENT, DELIVERED, READ, FAILED with its error), in one conversation or in every conversation of the caller's organization. NOT_FOUND for a conversation that is not the caller's.",
    authScopes: { loggedIn: true },
    args: { conversationId: t.arg.globalID({ for: ConversationRef, required: false, description: "Only this conversation's messages." }) },
    subscribe: async (_root, args, ctx) => {
      const conversationId = args.conversationId ? databaseId(args.conversationId, "conversationId") : undefined;
      if (conversationId && !(await ctx.db.conversation.findUnique({ where: { id: conversationId }, select: { id: true } }))) throw notFound("conversation");
      const events = await ctx.runtime.pubsub.subscribe("messageUpdated", viewerOf(ctx).organizationId);
      return filterEvents(events, (event) => !conversationId || event.conversationId === conversationId);
    },
    resolve: (query, event, _args, ctx) => ctx.db.message.findUniqueOrThrow({ ...query, where: { id: event.messageId } }),
  }),
);

const MessageTemplateRef = builder.prismaObject("MessageTemplate", {
  description: "A WhatsApp message template of the organization, synced from Meta.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "Aviso's id of the template." }),
    name: t.exposeString("name", { description: "The template's name (what sendMessage's template.name takes)." }),
    language: t.exposeString("language", { description: "Its language code, e.g. pt_BR." }),
    category: t.exposeString("category", { description: "MARKETING, UTILITY or AUTHENTICATION." }),
    status: t.field({
      type: TemplateStatusEnum,
      description: "Meta's review status; only APPROVED can be sent.",
      select: { status: true },
      resolve: (template) => ((TEMPLATE_STATUSES as readonly string[]).includes(template.status) ? (template.status as TemplateStatus) : "DISABLED"),
    }),
    bodyText: t.exposeString("bodyText", { nullable: true, description: "The body with its {{n}} placeholders." }),
    parameterCount: t.exposeInt("parameterCount", { description: "How many parameters the body takes." }),
    syncedAt: t.expose("syncedAt", { type: "DateTime", description: "When it was last read from Meta." }),
  }),
});

builder.queryField("messageTemplates", (t) =>
  t.prismaField({
    type: [MessageTemplateRef],
    description: "The caller's organization's WhatsApp templates (synced hourly and by syncMessageTemplates), by name. Any signed-in user.",
    authScopes: { loggedIn: true },
    args: { status: t.arg({ type: TemplateStatusEnum, required: false, description: "Only templates with this status (e.g. APPROVED for the picker)." }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.messageTemplate.findMany({ ...query, where: args.status ? { status: args.status } : {}, orderBy: [{ name: "asc" }, { language: "asc" }], take: 1000 }),
  }),
);

builder.mutationField("syncMessageTemplates", (t) =>
  t.int({
    description:
      "Reads the organization's templates from Meta now (GET /{waba_id}/message_templates of every connected number with a businessAccountId) and returns how many are stored. ORG_ADMIN and SUPER_ADMIN. BAD_USER_INPUT when Meta refuses (e.g. an expired token).",
    authScopes: { orgAdmin: true },
    resolve: async (_root, _args, ctx) => {
      try {
        return await syncOwnMessageTemplates(serviceContextOf(ctx));
      } catch (error) {
        if (error instanceof GraphApiError) throw invalidInput("businessAccountId", `Meta refused the template list: ${readableReason(error)}`);
        throw error;
      }
    },
  }),
);
