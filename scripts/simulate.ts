// npm run simulate -- --text "Olá" [--from 5511999990000] [--type image] [--name "Maria"]
//                     [--url http://localhost:4000] [--phone-number-id 100000000000001]
// npm run simulate -- --status delivered|read|failed --for <wamid>   (a sent message's ticks)
// Posts a webhook signed like Meta signs it to a running Aviso, so the whole inbound
// flow (conversation, messageAdded, notifications) can be watched in GraphiQL.
// The secret is META_APP_SECRET, or in development the one the server generated
// under .aviso/meta-app-secret (created here first if the server has not yet).
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.js";
import { SAMPLE_TYPES, sampleChange, sampleMessage, sampleStatus, sampleWebhook, type SampleType } from "../test/fixtures/meta/sample-payload.js";
import { resolveMetaAppSecret } from "../src/webhooks/meta/secret.js";
import { signatureFor } from "../src/webhooks/meta/signature.js";

const { values } = parseArgs({
  options: {
    text: { type: "string" },
    from: { type: "string", default: "5511999990000" },
    type: { type: "string", default: "text" },
    name: { type: "string", default: "Cliente Simulado" },
    url: { type: "string" },
    "phone-number-id": { type: "string", default: "100000000000001" },
    status: { type: "string" },
    for: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

const STATUSES = ["sent", "delivered", "read", "failed"] as const;
const badStatus = values.status !== undefined && (!(STATUSES as readonly string[]).includes(values.status) || !values.for);
if (values.help || badStatus || !(SAMPLE_TYPES as readonly string[]).includes(values.type)) {
  console.error(`usage: npm run simulate -- --text "Olá" [--from 5511999990000] [--type ${SAMPLE_TYPES.join("|")}] [--name "Maria"] [--url http://localhost:4000] [--phone-number-id 100000000000001]`);
  console.error(`       npm run simulate -- --status ${STATUSES.join("|")} --for <wamid of a sent message> [--from 5511999990000]`);
  process.exit(values.help ? 0 : 2);
}

const config = loadConfig();
const secret = resolveMetaAppSecret(config);
if (!secret) {
  console.error("META_APP_SECRET is not set (required in production): cannot sign the webhook.");
  process.exit(2);
}
const from = values.from.replace(/\D/g, "");
const message = sampleMessage({ type: values.type as SampleType, from, ...(values.text !== undefined ? { text: values.text } : {}) });
const status = values.status as (typeof STATUSES)[number] | undefined;
// A failed status carries Meta's error, as Meta sends it (131026: undeliverable).
const failure = [{ code: 131026, title: "Message undeliverable", message: "Message undeliverable", error_data: { details: "Message Undeliverable." } }];
const change = status
  ? sampleChange({ phoneNumberId: values["phone-number-id"], statuses: [sampleStatus(values.for!, status, { recipient: from, ...(status === "failed" ? { errors: failure } : {}) })] })
  : sampleChange({ phoneNumberId: values["phone-number-id"], messages: [message], names: { [from]: values.name } });
const body = JSON.stringify(sampleWebhook([change]));
const url = `${(values.url ?? `http://localhost:${config.PORT}`).replace(/\/$/, "")}/webhooks/meta`;

try {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signatureFor(body, secret) },
    body,
  });
  console.log(`POST ${url} → ${response.status} ${await response.text()}`);
  if (status) console.log(`status "${status}" for ${values.for} on phone_number_id ${values["phone-number-id"]}`);
  else console.log(`${values.type} message ${String(message.id)} from +${from} to phone_number_id ${values["phone-number-id"]}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`could not reach ${url}: ${(error as Error).message}. Is "npm start" running?`);
  process.exit(1);
}
