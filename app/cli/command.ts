// What a command of `npm run tailored -- <command>` is: a name, its usage lines, its own options, what
// it does with the database, and a run function. Commands live in app/cli/commands/, one file per area,
// and are listed in app/cli/commands/index.ts; main.ts parses, migrates or checks, opens and closes.
import type { ParseArgsConfig } from "node:util";
import type { Db } from "~/db/database.server";
import { isShopDomain } from "~/domain/shop-domain";

/** The command line is wrong (exit 2, the message and no stack). */
export class UsageError extends Error {}
/** The command cannot run as things are (exit 1, the message without a stack). */
export class CommandError extends Error {}

/**
 * What a command needs of the database: "write" brings the schema up to date first, "read" refuses a
 * database that is not up to date (reading never migrates), "none" opens nothing.
 */
export type DatabaseUse = "write" | "read" | "none";

export type OptionValues = Record<string, string | boolean | undefined>;

export type Output = { json: boolean; print: (value: Record<string, unknown>, text: string) => void };

export type CliContext = {
  /** The open database; reading it in a command whose database use is "none" throws. */
  readonly db: Db;
  values: OptionValues;
  positionals: string[];
  out: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What `migrate` applied before a "write" command ran. */
  migrated: { applied: string[]; alreadyApplied: number } | null;
};

export type CliCommand = {
  name: string;
  /** Lines for the usage text, already indented as the help shows them. */
  usage: string;
  /** This command's options (`--json` is every command's). */
  options?: NonNullable<ParseArgsConfig["options"]>;
  /** May depend on the subcommand (the first positional) and the options. */
  database: DatabaseUse | ((sub: string | undefined, values: OptionValues) => DatabaseUse);
  /** Checks of the command line made before the database is looked at (a wrong line is told so first). */
  check?(values: OptionValues, positionals: string[]): void;
  run(ctx: CliContext): Promise<number>;
};

export function output(json: boolean): Output {
  return { json, print: (value, text) => console.log(json ? JSON.stringify(value) : text) };
}

export function requireShop(value: string | boolean | undefined): string {
  if (typeof value !== "string" || !value) throw new UsageError("--shop DOMAIN is required");
  if (!isShopDomain(value)) throw new UsageError(`--shop must be a myshopify.com domain, got "${value}"`);
  return value;
}

/** A string option (parseArgs already refuses a boolean given to a string option). */
export function str(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function positiveInt(name: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

export function parseNow(value: string | boolean | undefined): Date {
  if (value === undefined) return new Date();
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now must be an ISO date, got "${String(value)}"`);
  return date;
}
