import { UserRef } from "../organizations/schema.js";
import { QueueRef } from "../queues/schema.js";
import { builder } from "../schema/builder.js";
import { viewerOf, type Context } from "../schema/context.js";
import { assertIdCursors } from "../schema/cursors.js";
import { RoleEnum } from "../schema/enums.js";
import { MAX_SEARCH_LENGTH } from "../conversations/search.js";
import { Role } from "../db/client.js";
import { teammatesWhere } from "./list.js";

/** Admins see everyone's contact details; others only their own. */
export function seesContactDetailsOf(ctx: Context, userId: string): boolean {
  // API keys are not people: they see no one's contact details.
  const viewer = ctx.viewer;
  return !!viewer && (viewer.userId === userId || viewer.role === Role.ORG_ADMIN || viewer.role === Role.SUPER_ADMIN);
}

builder.prismaObjectFields(UserRef, (t) => ({
  phone: t.string({
    nullable: true,
    description: "The user's own WhatsApp number for notifications (E.164). Only admins, and the user themselves, see it; null for others.",
    select: { whatsappNotificationNumber: true },
    resolve: (user, _args, ctx) => (seesContactDetailsOf(ctx, user.id) ? user.whatsappNotificationNumber : null),
  }),
  queues: t.field({
    type: [QueueRef],
    description: "The queues the user is a member of, by name.",
    select: (_args, _ctx, nestedSelection) => ({ queueMemberships: { select: { queue: nestedSelection(true) }, orderBy: { queue: { name: "asc" } } } }),
    resolve: (user) => user.queueMemberships.map((m) => m.queue),
  }),
}));

builder.queryField("users", (t) =>
  t.prismaConnection({
    type: UserRef,
    cursor: "id",
    description:
      "The organization's users, by name — for pickers (assign, transfer, mention). Everyone signed in may list teammates; " +
      "only admins see emails and phone numbers (null for others) and may search by email. Errors: BAD_USER_INPUT (search, cursor).",
    authScopes: { loggedIn: true },
    args: {
      role: t.arg({ type: RoleEnum, required: false, description: "Only users with this role." }),
      active: t.arg.boolean({ required: false, description: "Only active (true) or deactivated (false) users." }),
      search: t.arg.string({
        required: false,
        description: `Name contains this (case and accents ignored; admins: or email); 1–${MAX_SEARCH_LENGTH} characters.`,
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      assertIdCursors(args);
      const viewer = viewerOf(ctx);
      const where = await teammatesWhere(ctx.db, viewer.organizationId, {
        ...(args.role ? { role: args.role } : {}),
        ...(args.active != null ? { active: args.active } : {}),
        ...(args.search != null ? { search: args.search } : {}),
        searchEmails: seesContactDetailsOf(ctx, ""),
      });
      return ctx.db.user.findMany({ ...query, where, orderBy: [{ name: "asc" }, { id: "asc" }] });
    },
  }),
);
