import { z } from "zod";
import { MessageDirection, MessageStatus, MessageType, type Message, type Prisma } from "../../db/client.js";
import { inUnitOfWork } from "../../db/unit-of-work.js";
import { DomainError, invalidInput, notFound } from "../../errors.js";
import type { ServiceContext } from "../../service-context.js";
import { parseInput } from "../../validation.js";
import { MEDIA_KINDS, renderTemplateText, type Outbound } from "./content.js";
import { sendMessageJob } from "./outbox-job.js";
import { checkUploadFits } from "../media/limits.js";

/** Meta's customer-service window: free text and media for 24 hours after the customer's last message. */
export const CUSTOMER_WINDOW_MS = 24 * 3600 * 1000;

const text = (max: number) => z.string().max(max, `at most ${max} characters`);

export const sendMessageSchema = z
  .object({
    conversationId: z.string().uuid(),
    text: text(4096).trim().min(1, "must not be empty").nullish(),
    media: z
      .object({
        kind: z.enum(MEDIA_KINDS),
        uploadId: z.string().uuid("is not a valid upload id").nullish(),
        url: z
          .string()
          .max(2048)
          .url()
          .refine((u) => u.startsWith("https://"), "must be an https link")
          .nullish(),
        caption: text(1024).nullish(),
        fileName: text(240).nullish(),
      })
      .refine((m) => !!m.uploadId !== !!m.url, { message: "give exactly one of uploadId or url", path: ["uploadId"] })
      .nullish(),
    template: z
      .object({
        name: z.string().trim().min(1).max(512),
        language: z.string().trim().min(2).max(15),
        parameters: z.array(text(1024).min(1, "must not be empty")).max(20, "at most 20 parameters").nullish(),
      })
      .nullish(),
    replyToMessageId: z.string().uuid().nullish(),
    clientMessageId: z.string().trim().min(1).max(100).nullish(),
  })
  .refine((i) => [i.text, i.media, i.template].filter((v) => v != null).length === 1, {
    message: "give exactly one of text, media or template",
    path: ["text"],
  });

export type SendMessageInput = z.input<typeof sendMessageSchema>;

const KIND_TYPE: Record<(typeof MEDIA_KINDS)[number], MessageType> = {
  IMAGE: MessageType.IMAGE,
  DOCUMENT: MessageType.DOCUMENT,
  AUDIO: MessageType.AUDIO,
  VIDEO: MessageType.VIDEO,
  STICKER: MessageType.STICKER,
};

export const customerWindowClosed = () =>
  new DomainError(
    "CUSTOMER_WINDOW_CLOSED",
    "The customer last wrote more than 24 hours ago (or never): WhatsApp only allows an approved template now",
  );

/** When free text stops being allowed: 24 h after the customer's last message; null if they never wrote. */
export function customerWindowExpiresAt(lastInboundAt: Date | null): Date | null {
  return lastInboundAt ? new Date(lastInboundAt.getTime() + CUSTOMER_WINDOW_MS) : null;
}

/**
 * An agent answers a customer. Checks the 24-hour window, the template and the upload,
 * then writes in ONE transaction the OUTBOUND message (PENDING), its send job (the
 * outbox: pg-boss in the same database), and the conversation's clocks — the answer
 * ends the customer's wait (awaitingReplySince, SLA warning), records the first
 * response and, with `assignOnReply`, makes an agent answering an unassigned
 * conversation its assignee. After commit (the unit of work): `messageAdded`, `conversationUpdated`.
 *
 * `clientMessageId` makes it idempotent: the unique (conversation, clientMessageId)
 * lets one of any number of concurrent calls insert; the others return that message.
 * `db` is the caller's tenant-scoped client: another organization's ids are NOT_FOUND.
 */
export async function sendMessage({ db, runtime, actor }: ServiceContext, input: SendMessageInput): Promise<Message> {
  const data = parseInput(sendMessageSchema, input);
  const conversation = await db.conversation.findUnique({
    where: { id: data.conversationId },
    include: { contact: { select: { waId: true } }, organization: { select: { assignOnReply: true } }, whatsAppNumber: { select: { id: true } } },
  });
  if (!conversation) throw notFound("conversation");
  if (data.clientMessageId) {
    const earlier = await db.message.findUnique({ where: { conversationId_clientMessageId: { conversationId: conversation.id, clientMessageId: data.clientMessageId } } });
    if (earlier) return earlier;
  }

  const now = new Date();
  const windowEnds = customerWindowExpiresAt(conversation.lastInboundAt);
  if (!data.template && !(windowEnds && windowEnds > now)) throw customerWindowClosed();
  if (!conversation.contact.waId) throw invalidInput("conversationId", "WhatsApp did not give this customer's number: they can only be answered once they write again");

  // The number the customer wrote to; the organization's first for conversations older than that record.
  const number = conversation.whatsAppNumber ?? (await db.whatsAppNumber.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } }));
  if (!number) throw invalidInput("conversationId", "the organization has no connected WhatsApp number");

  if (data.replyToMessageId) {
    const target = await db.message.findFirst({ where: { id: data.replyToMessageId, conversationId: conversation.id }, select: { id: true } });
    if (!target) throw notFound("replyToMessage");
  }

  let type: MessageType = MessageType.TEXT;
  let shownText: string | null = data.text ?? null;
  let outbound: Outbound;
  if (data.media) {
    const media = data.media;
    type = KIND_TYPE[media.kind];
    shownText = media.caption ?? media.fileName ?? null;
    if (media.uploadId) {
      const upload = await db.mediaUpload.findUnique({ where: { id: media.uploadId } });
      if (!upload) throw notFound("upload");
      if (upload.whatsAppNumberId !== number.id) throw invalidInput("media.uploadId", "was uploaded for another WhatsApp number of the organization");
      const problem = checkUploadFits(media.kind, upload.mimeType, upload.fileSize);
      if (problem) throw invalidInput("media.kind", problem);
      outbound = { kind: "media", whatsAppNumberId: number.id, mediaKind: media.kind, mediaId: upload.mediaId, mimeType: upload.mimeType, fileSize: upload.fileSize, ...optional(media, upload.fileName) };
    } else {
      outbound = { kind: "media", whatsAppNumberId: number.id, mediaKind: media.kind, link: media.url!, ...optional(media, null) };
    }
  } else if (data.template) {
    const { name, language } = data.template;
    const parameters = data.template.parameters ?? [];
    const template = await db.messageTemplate.findUnique({ where: { organizationId_name_language: { organizationId: actor.organizationId, name, language } } });
    if (!template) throw invalidInput("template.name", `template "${name}" (${language}) is not known: sync the templates or check its name and language`);
    if (template.status !== "APPROVED") throw invalidInput("template.name", `template "${name}" (${language}) is ${template.status}, not APPROVED`);
    if (parameters.length !== template.parameterCount) {
      throw invalidInput("template.parameters", `template "${name}" takes ${template.parameterCount} parameter(s), ${parameters.length} given`);
    }
    shownText = renderTemplateText(template.bodyText, parameters) ?? name;
    outbound = { kind: "template", whatsAppNumberId: number.id, name, language, parameters };
  } else {
    outbound = { kind: "text", whatsAppNumberId: number.id };
  }

  const result = await inUnitOfWork(db, runtime.log, async ({ tx, afterCommit }) => {
    const [inserted] = await tx.message.createManyAndReturn({
      data: [
        {
          organizationId: actor.organizationId,
          conversationId: conversation.id,
          direction: MessageDirection.OUTBOUND,
          type,
          text: shownText,
          status: MessageStatus.PENDING,
          sentById: actor.userId,
          clientMessageId: data.clientMessageId ?? null,
          replyToId: data.replyToMessageId ?? null,
          outbound: outbound as Prisma.InputJsonValue,
        },
      ],
      // The unique (conversation, clientMessageId): a concurrent twin waits for the winner's commit, then inserts nothing.
      skipDuplicates: true,
    });
    if (!inserted) return { message: undefined, assigned: false };
    await runtime.jobs.send(sendMessageJob, { messageId: inserted.id }, { tx });
    const assign = conversation.organization.assignOnReply && !conversation.assigneeId;
    await tx.conversation.updateMany({
      where: { id: conversation.id },
      data: { lastMessageAt: now, awaitingReplySince: null, slaWarnedAt: null, ...(conversation.firstResponseAt ? {} : { firstResponseAt: now }) },
    });
    // Only if nobody was assigned meanwhile: an answer never takes a conversation from a colleague.
    const assigned = assign ? (await tx.conversation.updateMany({ where: { id: conversation.id, assigneeId: null }, data: { assigneeId: actor.userId } })).count > 0 : false;
    afterCommit(async () => {
      await runtime.pubsub.publish("messageAdded", actor.organizationId, { messageId: inserted.id, conversationId: conversation.id });
      await runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId: conversation.id });
    });
    return { message: inserted, assigned };
  });

  if (!result.message) {
    // Lost the race for this clientMessageId: the winner's message is the answer.
    return db.message.findUniqueOrThrow({ where: { conversationId_clientMessageId: { conversationId: conversation.id, clientMessageId: data.clientMessageId! } } });
  }
  runtime.log.info({ conversationId: conversation.id, messageId: result.message.id, type, assigned: result.assigned }, "outbound message queued");
  return result.message;
}

function optional(media: { caption?: string | null | undefined; fileName?: string | null | undefined }, uploadedName: string | null) {
  const fileName = media.fileName ?? uploadedName;
  return { ...(media.caption ? { caption: media.caption } : {}), ...(fileName ? { fileName } : {}) };
}
