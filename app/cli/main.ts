// `npm run tailored -- <command>`: the operator's and the tests' command line. DATABASE_URL chooses the
// database as it does for the app. The commands live in ./commands (one file per area); this file
// parses the line, brings the schema up to date for commands that write, refuses an out-of-date
// database to commands that only read (they change nothing), and opens and closes the database.
import { parseArgs } from "node:util";
import { databaseConfig } from "~/db/config";
import { openDatabase, type Db } from "~/db/database.server";
import { migrate, pendingMigrations } from "~/db/migrate.server";
import {
  CommandError,
  output,
  UsageError,
  type CliCommand,
  type CliContext,
  type DatabaseUse,
  type OptionValues,
} from "./command";
import { COMMANDS } from "./commands";

export { CommandError, UsageError } from "./command";

export const USAGE = `usage: npm run tailored -- <command> [options]

commands:
${COMMANDS.map((c) => c.usage).join("\n")}

environment: DATABASE_URL (file:./prisma/tailored.sqlite by default, or postgres://…)`;

function parseOptions(command: CliCommand, args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: "boolean", default: false }, ...command.options },
    });
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message}`);
  }
}

function databaseUse(command: CliCommand, sub: string | undefined, values: OptionValues): DatabaseUse {
  return typeof command.database === "function" ? command.database(sub, values) : command.database;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help") {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${USAGE}`);
  const { values, positionals } = parseOptions(command, rest);
  command.check?.(values, positionals);
  const use = databaseUse(command, positionals[0], values);
  const config = use === "none" ? null : databaseConfig(env.DATABASE_URL, cwd);
  let migrated: CliContext["migrated"] = null;
  if (config && use === "read") {
    // Reading never migrates: a schema change belongs to `migrate` or to a command that writes, not to
    // a look at the figures (perhaps of a database a running app of another version still uses).
    const pending = await pendingMigrations(config, cwd);
    if (pending.length > 0) {
      throw new CommandError(
        `the database is not up to date (${pending.length} migration${pending.length === 1 ? "" : "s"} not applied, ` +
          `the first ${pending[0]}): run \`npm run tailored -- migrate\` first`,
      );
    }
  } else if (config) {
    const result = await migrate(config, cwd);
    migrated = { applied: result.applied, alreadyApplied: result.alreadyApplied };
  }

  const db: Db | null = config ? openDatabase(config) : null;
  try {
    return await command.run({
      get db(): Db {
        if (!db) throw new CommandError(`${command.name} opens no database`);
        return db;
      },
      values,
      positionals,
      out: output(values.json === true),
      env,
      cwd,
      migrated,
    });
  } finally {
    await db?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("app/cli/main.ts")) {
  run(process.argv.slice(2), process.env, process.cwd()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof UsageError || error instanceof CommandError ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
