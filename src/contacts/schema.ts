import { ContactRef } from "../conversations/types.js";
import { databaseId } from "../schema/global-id.js";
import { MAX_SEARCH_LENGTH } from "../conversations/search.js";
import { notFound } from "../errors.js";
import { builder } from "../schema/builder.js";
import { serviceContextOf, viewerOf } from "../schema/context.js";
import { assertIdCursors } from "../schema/cursors.js";
import { contactsWhere } from "./search.js";
import { MAX_NOTES_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, updateContact } from "./update-contact.js";

builder.prismaObjectFields(ContactRef, (t) => ({
  notes: t.exposeString("notes", { nullable: true, description: "Agents' free-text notes about the customer." }),
  tags: t.exposeStringList("tags", { description: "Agents' labels for the customer." }),
  createdAt: t.expose("createdAt", { type: "DateTime", description: "When the customer first wrote." }),
  conversations: t.relatedConnection("conversations", {
    cursor: "id",
    description: "The customer's conversations, most recent activity first.",
    query: (args) => {
      assertIdCursors(args);
      return { orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }] };
    },
  }),
}));

builder.queryField("contacts", (t) =>
  t.prismaConnection({
    type: ContactRef,
    cursor: "id",
    description: "The organization's customers, most recent activity first. Any signed-in user. Errors: BAD_USER_INPUT (search).",
    authScopes: { loggedIn: true },
    args: {
      search: t.arg.string({
        required: false,
        description: `Name (accents and case ignored) or phone digits in any format; 1–${MAX_SEARCH_LENGTH} characters.`,
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      assertIdCursors(args);
      const where = await contactsWhere(ctx.db, viewerOf(ctx).organizationId, args.search ?? undefined);
      return ctx.db.contact.findMany({ ...query, where, orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }] });
    },
  }),
);

builder.queryField("contact", (t) =>
  t.prismaField({
    type: ContactRef,
    description: "One customer of the organization, with their conversations. Any signed-in user. Errors: NOT_FOUND, BAD_USER_INPUT.",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: ContactRef, required: true, description: "The contact's id." }) },
    resolve: async (query, _root, args, ctx) => {
      const contact = await ctx.db.contact.findUnique({ ...query, where: { id: databaseId(args.id, "id") } });
      if (!contact) throw notFound("contact");
      return contact;
    },
  }),
);

const UpdateContactInput = builder.inputType("UpdateContactInput", {
  description: "What agents keep about a customer. A field left out is unchanged; null clears it.",
  fields: (t) => ({
    name: t.string({ required: false, description: "Display name, 1–120 characters." }),
    notes: t.string({ required: false, description: `Free text, at most ${MAX_NOTES_LENGTH} characters.` }),
    tags: t.stringList({ required: false, description: `At most ${MAX_TAGS} labels of 1–${MAX_TAG_LENGTH} characters; duplicates are dropped.` }),
  }),
});

builder.mutationField("updateContact", (t) =>
  t.prismaField({
    type: ContactRef,
    description: "Changes a customer's name, notes and tags; audited. Agents and admins (viewers read only). Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT.",
    authScopes: { agent: true },
    args: {
      id: t.arg.globalID({ for: ContactRef, required: true, description: "The contact to change." }),
      input: t.arg({ type: UpdateContactInput, required: true, description: "The changes." }),
    },
    resolve: async (query, _root, { id, input }, ctx) => {
      const contactId = databaseId(id, "id");
      await updateContact(serviceContextOf(ctx), { contactId, input });
      return ctx.db.contact.findUniqueOrThrow({ ...query, where: { id: contactId } });
    },
  }),
);
