import { defineConfig } from "prisma/config";

// Prisma 7 reads the URL from here, never from schema.prisma; it only matters for
// Prisma's own CLI — Aviso migrates itself (src/db/migrate.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
