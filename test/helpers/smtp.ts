import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedEmail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
}

export interface FakeSmtp {
  port: number;
  /** Messages accepted (answered 250). */
  messages: ReceivedEmail[];
  /** Every message received after DATA, accepted or refused by `refuseData`. */
  attempts: ReceivedEmail[];
  /** The next `replies.length` RCPT TO for this address get these codes (4xx / 5xx). */
  refuse(address: string, ...codes: number[]): void;
  close(): Promise<void>;
}

export interface FakeSmtpOptions {
  /** Answers each message this long after receiving it: a slow provider, for shutdown tests. */
  delayMs?: number;
  /** Decides per message, after DATA: a 4xx/5xx code refuses it (kept in `attempts` only). */
  refuseData?: (email: ReceivedEmail) => number | undefined;
}

/** An in-process SMTP server on 127.0.0.1 (no TLS, any auth) that keeps what it receives. */
export async function startSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const messages: ReceivedEmail[] = [];
  const attempts: ReceivedEmail[] = [];
  const refusals = new Map<string, number[]>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    closeTimeout: 200,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: "test" }),
    onRcptTo(address, _session, callback) {
      const code = refusals.get(address.address.toLowerCase())?.shift();
      if (code === undefined) return callback();
      const error = Object.assign(new Error(code >= 500 ? "Mailbox unavailable" : "Mailbox busy, try later"), { responseCode: code });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const email: ReceivedEmail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMessage(raw),
        };
        attempts.push(email);
        const code = options.refuseData?.(email);
        if (code !== undefined) {
          return callback(Object.assign(new Error(code >= 500 ? "Message rejected" : "Try again later"), { responseCode: code }));
        }
        messages.push(email);
        if (options.delayMs) setTimeout(() => callback(), options.delayMs);
        else callback();
      });
    },
  });
  // A client that dies mid-session (a SIGKILLed worker) resets its socket: not the test's failure.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    attempts,
    refuse: (address, ...codes) => refusals.set(address.toLowerCase(), [...(refusals.get(address.toLowerCase()) ?? []), ...codes]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough MIME for tests: headers, the decoded subject, text and HTML parts. */
function parseMessage(raw: string): Pick<ReceivedEmail, "headers" | "subject" | "text" | "html"> {
  const { headers, body } = splitHeaders(raw);
  const parts: Array<{ headers: Record<string, string>; body: string }> = [];
  collectParts(headers, body, parts);
  const part = (type: string) => parts.find((p) => (p.headers["content-type"] ?? "").startsWith(type));
  return {
    headers,
    subject: decodeWords(headers.subject ?? ""),
    text: decodePart(part("text/plain")),
    html: decodePart(part("text/html")),
  };
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const normalized = raw.replace(/\r\n/g, "\n");
  const end = normalized.indexOf("\n\n");
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end === -1 ? "" : normalized.slice(end + 2) };
}

function collectParts(headers: Record<string, string>, body: string, into: Array<{ headers: Record<string, string>; body: string }>): void {
  const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] ?? "")?.[1];
  if (!boundary) {
    into.push({ headers, body });
    return;
  }
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith("--")) break;
    const part = splitHeaders(chunk.replace(/^\n/, ""));
    collectParts(part.headers, part.body, into);
  }
}

function decodePart(part: { headers: Record<string, string>; body: string } | undefined): string {
  if (!part) return "";
  const encoding = (part.headers["content-transfer-encoding"] ?? "").toLowerCase();
  if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    return decodeURIComponent(
      part.body
        .replace(/=\n/g, "")
        .replace(/%/g, "%25")
        .replace(/=([0-9A-F]{2})/gi, "%$1"),
    );
  }
  return part.body;
}

function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, "?==?").replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : decodeURIComponent(
          text
            .replace(/_/g, " ")
            .replace(/%/g, "%25")
            .replace(/=([0-9A-F]{2})/gi, "%$1"),
        ),
  );
}
