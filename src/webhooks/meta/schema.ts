import { builder } from "../../schema/builder.js";
import { serviceContextOf } from "../../schema/context.js";
import { connectWhatsAppNumber } from "./connect.js";
import { WhatsAppNumberRef } from "./types.js";

const ConnectWhatsAppNumberInput = builder.inputType("ConnectWhatsAppNumberInput", {
  fields: (t) => ({
    phoneNumberId: t.string({ required: true, description: "Meta's id of the business phone number (WhatsApp Manager → API setup)." }),
    displayPhoneNumber: t.string({ required: true, description: "The number as people see it, e.g. +55 11 4000-0001." }),
    accessToken: t.string({ required: true, description: "A system-user token allowed to send from this number. Stored, never returned." }),
    businessAccountId: t.string({
      required: false,
      description: "The WhatsApp Business Account (WABA) id the number belongs to: its approved templates are synced from it (messageTemplates).",
    }),
  }),
});

builder.mutationField("connectWhatsAppNumber", (t) =>
  t.prismaField({
    type: WhatsAppNumberRef,
    description: "Routes this business number's webhooks to the caller's organization (org admins).",
    authScopes: { orgAdmin: true },
    args: { input: t.arg({ type: ConnectWhatsAppNumberInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const number = await connectWhatsAppNumber(serviceContextOf(ctx), input);
      return ctx.db.whatsAppNumber.findUniqueOrThrow({ ...query, where: { id: number.id } });
    },
  }),
);

builder.queryField("whatsAppNumbers", (t) =>
  t.prismaField({
    type: [WhatsAppNumberRef],
    description: "The business numbers connected to the caller's organization (org admins).",
    authScopes: { orgAdmin: true },
    resolve: (query, _root, _args, ctx) => ctx.db.whatsAppNumber.findMany({ ...query, orderBy: { createdAt: "asc" } }),
  }),
);
