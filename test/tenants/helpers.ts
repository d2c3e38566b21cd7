import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** An EMPTY database (no migrations, no demo data): what a new production deployment starts from. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ empty: true });
}

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The last line of stdout: the token. */
  lastLine: string;
}

/** Runs `npm run admin -- …` as the operator would (the same script, through tsx). */
export async function runAdmin(args: string[], env: Record<string, string>): Promise<AdminRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr, lastLine: stdout.trim().split("\n").at(-1) ?? "" };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: failed.code ?? 1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? "",
      lastLine: (failed.stdout ?? "").trim().split("\n").at(-1) ?? "",
    };
  }
}

export type Gql = <T = Record<string, unknown>, V = Record<string, unknown>>(
  url: string,
  query: string | TypedDocumentNode<T, V>,
  variables?: V,
  credential?: string,
) => Promise<{ data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> }>;

/**
 * POSTs a GraphQL operation — a typed document (test/generated or src/client) or a string — to
 * an instance with `Authorization: Bearer <credential>` (a JWT or an API key).
 */
export const gql: Gql = async (url, query, variables, credential) => {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (credential) headers.authorization = `Bearer ${credential}`;
  const body = JSON.stringify({ query: typeof query === "string" ? query : print(query), variables: variables ?? {} });
  const response = await fetch(`${url}/graphql`, { method: "POST", headers, body });
  return (await response.json()) as never;
};
