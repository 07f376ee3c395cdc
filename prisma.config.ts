// Prisma CLI configuration. Prisma's native engines cannot be downloaded on our machines (or in CI),
// so the CLI runs on its JavaScript/Wasm engine with a driver adapter; see docs/decisions/001-database.md.
// The CLI is only used at development time (generate, migrate diff); migrations are applied by
// app/db/migrate.server.ts.
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    return new PrismaBetterSQLite3({ url: "file:./prisma/.prisma-cli.sqlite" });
  },
});
