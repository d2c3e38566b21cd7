import { z } from "zod";
import { recordAudit } from "../audit/record.js";
import { notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";

export const MAX_NOTES_LENGTH = 5000;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;

const contactInput = z.object({
  name: z.string().trim().min(1, "must not be empty").max(120, "at most 120 characters").nullable().optional(),
  notes: z.string().max(MAX_NOTES_LENGTH, `at most ${MAX_NOTES_LENGTH} characters`).nullable().optional(),
  tags: z
    .array(z.string().trim().min(1, "a tag must not be empty").max(MAX_TAG_LENGTH, `a tag has at most ${MAX_TAG_LENGTH} characters`))
    .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
    .nullable()
    .optional(),
});

export type UpdateContactInput = z.input<typeof contactInput>;

/**
 * Changes what agents keep about a customer: name, notes, tags (trimmed, duplicates
 * dropped, in the order given; null clears). Fields left out are unchanged. Audited
 * (`contact.updated`, with the names of the fields changed, never their text).
 */
export async function updateContact(
  { db, actor }: ServiceContext,
  { contactId, input }: { contactId: string; input: UpdateContactInput },
): Promise<{ id: string }> {
  const { name, notes, tags } = parseInput(contactInput, input);
  const data = {
    ...(name !== undefined ? { name } : {}),
    ...(notes !== undefined ? { notes: notes === null || notes.trim() === "" ? null : notes } : {}),
    ...(tags !== undefined ? { tags: [...new Set(tags ?? [])] } : {}),
  };
  return db.$transaction(async (tx) => {
    const existing = await tx.contact.findUnique({ where: { id: contactId }, select: { id: true } });
    if (!existing) throw notFound("contact");
    const contact = await tx.contact.update({ where: { id: contactId }, data, select: { id: true } });
    await recordAudit(tx, actor, { action: "contact.updated", targetType: "Contact", targetId: contactId, data: { fields: Object.keys(data) } });
    return contact;
  });
}
