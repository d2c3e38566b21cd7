import { builder } from "../../schema/builder.js";

/** A business number connected to an organization. Its access token never leaves the server. */
export const WhatsAppNumberRef = builder.prismaNode("WhatsAppNumber", {
  id: { field: "id" },
  fields: (t) => ({
    phoneNumberId: t.exposeString("phoneNumberId"),
    displayPhoneNumber: t.exposeString("displayPhoneNumber"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});
