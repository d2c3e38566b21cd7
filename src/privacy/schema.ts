import { ContactRef } from "../conversations/types.js";
import { databaseId } from "../schema/global-id.js";
import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { eraseContact, type ContactErasure } from "./erase-contact.js";
import { exportContactData, type ContactExport } from "./export-contact.js";

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

const ExportedContactRef = builder.objectRef<ContactExport["contact"]>("ExportedContact").implement({
  description: "The contact row as stored.",
  fields: (t) => ({
    id: t.exposeString("id", { description: "Database id of the contact." }),
    waId: t.exposeString("waId", { nullable: true, description: "WhatsApp id (the phone's digits)." }),
    bsuid: t.exposeString("bsuid", { nullable: true, description: "Meta's business-scoped user id, when the customer hides their number." }),
    phone: t.exposeString("phone", { nullable: true, description: "E.164 phone number." }),
    name: t.exposeString("name", { nullable: true, description: "WhatsApp profile name." }),
    messageCount: t.exposeInt("messageCount", { description: "Messages received from the contact." }),
    lastMessageAt: t.expose("lastMessageAt", { type: "DateTime", nullable: true, description: "When the contact last wrote." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the contact first wrote." }),
    erasedAt: t.expose("erasedAt", { type: "DateTime", nullable: true, description: "When the contact was erased (eraseContact), if it was." }),
  }),
});

const ExportedConversationRef = builder.objectRef<ContactExport["conversations"][number]>("ExportedConversation").implement({
  description: "One conversation with the contact.",
  fields: (t) => ({
    id: t.exposeString("id", { description: "Database id." }),
    number: t.exposeInt("number", { description: "Per-organization conversation number." }),
    status: t.exposeString("status", { description: "OPEN, PENDING or RESOLVED." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was opened." }),
    lastMessageAt: t.expose("lastMessageAt", { type: "DateTime", nullable: true, description: "Last message in it." }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true, description: "When it was last resolved." }),
  }),
});

const ExportedMessageRef = builder.objectRef<ContactExport["messages"][number]>("ExportedMessage").implement({
  description: "One message of the contact's conversations, inbound or outbound.",
  fields: (t) => ({
    id: t.exposeString("id", { description: "Database id." }),
    conversationId: t.exposeString("conversationId", { description: "Database id of its conversation." }),
    direction: t.exposeString("direction", { description: "INBOUND or OUTBOUND." }),
    type: t.exposeString("type", { description: "Message kind (TEXT, IMAGE…)." }),
    text: t.exposeString("text", { nullable: true, description: "Readable text (body, caption, file name…)." }),
    status: t.exposeString("status", { description: "Delivery status." }),
    externalId: t.exposeString("externalId", { nullable: true, description: "WhatsApp message id (wamid)." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was stored." }),
    payloadJson: t.string({ nullable: true, description: "The WhatsApp payload as stored, as JSON text.", resolve: (m) => json(m.payload) }),
  }),
});

const ExportedMediaRef = builder.objectRef<ContactExport["mediaReferences"][number]>("ExportedMediaReference").implement({
  description: "A media file a message points at (Meta media id).",
  fields: (t) => ({
    messageId: t.exposeString("messageId", { description: "Database id of the message." }),
    kind: t.exposeString("kind", { description: "image, audio, video, document or sticker." }),
    mediaId: t.exposeString("mediaId", { nullable: true, description: "Meta's media id." }),
    mimeType: t.exposeString("mimeType", { nullable: true, description: "MIME type." }),
    filename: t.exposeString("filename", { nullable: true, description: "File name, for documents." }),
  }),
});

const ExportedWebhookEventRef = builder.objectRef<ContactExport["webhookEvents"][number]>("ExportedWebhookEvent").implement({
  description: "A raw webhook body from Meta that names the contact.",
  fields: (t) => ({
    id: t.exposeString("id", { description: "Database id." }),
    receivedAt: t.expose("receivedAt", { type: "DateTime", description: "When Meta posted it." }),
    status: t.exposeString("status", { description: "Processing outcome." }),
    payloadJson: t.string({ description: "The body as received, as JSON text.", resolve: (e) => json(e.payload) ?? "null" }),
  }),
});

const ContactExportRef = builder.objectRef<ContactExport>("ContactExport").implement({
  description: "Everything Aviso stores about one customer (LGPD / GDPR access request).",
  fields: (t) => ({
    exportedAt: t.expose("exportedAt", { type: "DateTime", description: "When this export was made." }),
    contact: t.field({ type: ExportedContactRef, description: "The contact.", resolve: (e) => e.contact }),
    conversations: t.field({ type: [ExportedConversationRef], description: "Its conversations.", resolve: (e) => e.conversations }),
    messages: t.field({ type: [ExportedMessageRef], description: "Every message of those conversations, oldest first.", resolve: (e) => e.messages }),
    mediaReferences: t.field({ type: [ExportedMediaRef], description: "Media the messages point at.", resolve: (e) => e.mediaReferences }),
    webhookEvents: t.field({ type: [ExportedWebhookEventRef], description: "Raw webhook bodies naming the contact.", resolve: (e) => e.webhookEvents }),
  }),
});

const ContactErasureRef = builder.objectRef<ContactErasure>("ContactErasure").implement({
  description: "What eraseContact did.",
  fields: (t) => ({
    contactId: t.exposeString("contactId", { description: "Database id of the erased contact (the row stays, anonymized)." }),
    erasedAt: t.expose("erasedAt", { type: "DateTime", description: "When the contact was erased (the first time)." }),
    erasedNow: t.exposeBoolean("erasedNow", { description: "False when it had already been erased: nothing changed." }),
    messagesAnonymized: t.exposeInt("messagesAnonymized", { description: "Messages whose text, payload and WhatsApp id were removed." }),
    mediaReferencesDeleted: t.exposeInt("mediaReferencesDeleted", { description: "Media references removed with the payloads." }),
    webhookEventsDeleted: t.exposeInt("webhookEventsDeleted", { description: "Raw webhook bodies naming the contact, deleted." }),
    notificationsAnonymized: t.exposeInt("notificationsAnonymized", { description: "Notifications about its conversations whose title and preview were removed." }),
  }),
});

builder.queryField("exportContactData", (t) =>
  t.field({
    type: ContactExportRef,
    description: "Exports everything stored about a contact of the caller's organization; the read is audited. ORG_ADMIN only (FORBIDDEN otherwise); NOT_FOUND for another organization's or a missing contact.",
    authScopes: { orgAdmin: true },
    args: { contactId: t.arg.globalID({ for: ContactRef, required: true, description: "The contact's global id (Contact.id)." }) },
    resolve: (_root, args, ctx) => exportContactData(serviceContextOf(ctx), databaseId(args.contactId, "contactId")),
  }),
);

builder.mutationField("eraseContact", (t) =>
  t.field({
    type: ContactErasureRef,
    description:
      "Erases a contact (right to be forgotten): anonymizes the contact and its messages, deletes media references and the raw webhook bodies naming it, keeps counts; audited; idempotent. ORG_ADMIN only (FORBIDDEN otherwise); NOT_FOUND for another organization's or a missing contact.",
    authScopes: { orgAdmin: true },
    args: { contactId: t.arg.globalID({ for: ContactRef, required: true, description: "The contact's global id (Contact.id)." }) },
    resolve: (_root, args, ctx) => eraseContact(serviceContextOf(ctx), databaseId(args.contactId, "contactId")),
  }),
);
