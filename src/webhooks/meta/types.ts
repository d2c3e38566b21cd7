import { builder } from "../../schema/builder.js";

/** A business number connected to an organization. Its access token never leaves the server. */
export const WhatsAppNumberRef = builder.prismaNode("WhatsAppNumber", {
  id: { field: "id" },
  fields: (t) => ({
    phoneNumberId: t.exposeString("phoneNumberId"),
    displayPhoneNumber: t.exposeString("displayPhoneNumber"),
    businessAccountId: t.exposeString("businessAccountId", { nullable: true, description: "The WhatsApp Business Account (WABA) id templates are synced from." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});
