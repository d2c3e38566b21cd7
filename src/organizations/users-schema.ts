import { QueueRef } from "../queues/schema.js";
import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { RoleEnum } from "../schema/enums.js";
import { UserRef } from "./schema.js";
import { createUser, deactivateUser, reactivateUser, updateUser, type CreateUserInput, type UpdateUserInput } from "./users.js";

// The organization's people, managed by its admins. Every id goes through the
// caller's tenant-scoped client: another organization's user is NOT_FOUND.

const CreateUserInputRef = builder.inputType("CreateUserInput", {
  description: "A new member of the caller's organization.",
  fields: (t) => ({
    email: t.string({ required: true, description: "Unique across Aviso; BAD_USER_INPUT naming it when taken." }),
    name: t.string({ required: true, description: "1–200 characters." }),
    role: t.field({ type: RoleEnum, required: false, description: "ORG_ADMIN, AGENT (default) or VIEWER." }),
    queueIds: t.globalIDList({ for: QueueRef, required: false, description: "Queues the user joins (up to 50)." }),
    whatsappNumber: t.string({ required: false, description: "The user's own phone for WhatsApp notifications (E.164; Brazilian numbers may omit +55)." }),
    locale: t.string({ required: false, description: "pt-BR or en; unset follows the organization." }),
  }),
});

const UpdateUserInputRef = builder.inputType("UpdateUserInput", {
  description: "Changes to a member of the caller's organization; absent fields stay as they are.",
  fields: (t) => ({
    name: t.string({ required: false, description: "1–200 characters." }),
    role: t.field({ type: RoleEnum, required: false, description: "ORG_ADMIN, AGENT or VIEWER; the last active admin keeps ORG_ADMIN. Their current tokens are refused after a change." }),
    locale: t.string({ required: false, description: "pt-BR or en; null follows the organization." }),
    whatsappNumber: t.string({ required: false, description: "The user's own phone for WhatsApp notifications; null removes it." }),
    notifyOnNewMessage: t.boolean({ required: false, description: "The user's own new-message flag." }),
    queueIds: t.globalIDList({ for: QueueRef, required: false, description: "The user's queues, replacing the current ones (up to 50)." }),
  }),
});

const ids = (list: ReadonlyArray<{ id: string }> | null | undefined) => (list == null ? list : list.map((g) => databaseId(g, "queueIds")));

builder.mutationField("createUser", (t) =>
  t.prismaField({
    type: UserRef,
    description: "Adds a person to the caller's organization (admins). BAD_USER_INPUT names the field at fault (a taken email included); NOT_FOUND for an unknown queue.",
    authScopes: { orgAdmin: true },
    args: { input: t.arg({ type: CreateUserInputRef, required: true, description: "The new user." }) },
    resolve: async (query, _root, { input }, ctx) => {
      const user = await createUser(serviceContextOf(ctx), { ...input, queueIds: ids(input.queueIds) ?? undefined } as CreateUserInput);
      return ctx.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
);

builder.mutationField("updateUser", (t) =>
  t.prismaField({
    type: UserRef,
    description: "Changes a member of the caller's organization (admins). NOT_FOUND for another organization's user; BAD_USER_INPUT names the field at fault.",
    authScopes: { orgAdmin: true },
    args: {
      id: t.arg.globalID({ for: UserRef, required: true, description: "The user." }),
      input: t.arg({ type: UpdateUserInputRef, required: true, description: "What changes." }),
    },
    resolve: async (query, _root, { id, input }, ctx) => {
      const user = await updateUser(serviceContextOf(ctx), { userId: databaseId(id, "id"), changes: { ...input, queueIds: ids(input.queueIds) } as UpdateUserInput });
      return ctx.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
);

builder.mutationField("deactivateUser", (t) =>
  t.prismaField({
    type: UserRef,
    description:
      "Deactivates a member (admins): their tokens are refused and their open sockets closed (4403) on every instance within seconds. BAD_USER_INPUT for the organization's last active admin. Idempotent.",
    authScopes: { orgAdmin: true },
    args: { id: t.arg.globalID({ for: UserRef, required: true, description: "The user." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const user = await deactivateUser(serviceContextOf(ctx), databaseId(id, "id"));
      return ctx.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
);

builder.mutationField("reactivateUser", (t) =>
  t.prismaField({
    type: UserRef,
    description: "Lets a deactivated member sign in again (admins). Idempotent; NOT_FOUND for another organization's user.",
    authScopes: { orgAdmin: true },
    args: { id: t.arg.globalID({ for: UserRef, required: true, description: "The user." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const user = await reactivateUser(serviceContextOf(ctx), databaseId(id, "id"));
      return ctx.db.user.findUniqueOrThrow({ ...query, where: { id: user.id } });
    },
  }),
);
