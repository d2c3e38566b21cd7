import { builder } from "../../schema/builder.js";

/** A business number connected to an organization. Its access token never leaves the server. */
export const WhatsAppNumberRef = builder.prismaNode("WhatsAppNumber", {
  id: { field: "id" },
  description:
    "A WhatsApp business number connected to the organization: Meta's webhooks for it are routed here, and Aviso sends from it. Its access token is never returned.",
  fields: (t) => ({
    phoneNumberId: t.exposeString("phoneNumberId", { description: "Meta's id of the business phone number (`metadata.phone_number_id` in webhooks)." }),
    displayPhoneNumber: t.exposeString("displayPhoneNumber", { description: "The number as people see it, e.g. +55 11 4000-0001." }),
    businessAccountId: t.exposeString("businessAccountId", {
      nullable: true,
      description: "The WhatsApp Business Account (WABA) id templates are synced from.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was connected." }),
  }),
});
