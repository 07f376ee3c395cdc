// A database handle the model layer takes as an argument: the Prisma client plus the dialect, since a
// few statements (bulk upserts, aggregates over dates) are raw SQL that differs between SQLite and
// PostgreSQL. Raw SQL is always parameterised through `Sql`, never built from input text.
import type { Prisma, PrismaClient } from "@prisma/client";
import { createPrismaClient } from "./client.server";
import type { DatabaseConfig, Dialect } from "./config";

export type Db = {
  readonly dialect: Dialect;
  /** The client, or the transaction's client inside `transaction`. */
  readonly client: Prisma.TransactionClient;
  /** Runs `fn` in one transaction; inside a transaction it joins the outer one. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
};

export type OpenDb = Db & { readonly prisma: PrismaClient; close(): Promise<void> };

export function openDatabase(config: DatabaseConfig): OpenDb {
  const prisma = createPrismaClient(config);
  return wrap(prisma, config.dialect);
}

export function wrap(prisma: PrismaClient, dialect: Dialect): OpenDb {
  return {
    dialect,
    client: prisma,
    prisma,
    transaction: (fn) =>
      prisma.$transaction((tx) => {
        const inner: Db = { dialect, client: tx, transaction: (nested) => nested(inner) };
        return fn(inner);
      }, { timeout: 60_000, maxWait: 30_000 }),
    close: () => prisma.$disconnect(),
  };
}

/** Collects parameters and writes each dialect's placeholder (`?` or `$n`). */
export class Sql {
  readonly params: unknown[] = [];
  constructor(readonly dialect: Dialect) {}
  p(value: unknown): string {
    this.params.push(value);
    return this.dialect === "sqlite" ? "?" : `$${this.params.length}`;
  }
  /** `(?, ?, ?)` for a list of values; never empty (an empty IN list is a syntax error). */
  list(values: readonly unknown[]): string {
    if (values.length === 0) throw new Error("Sql.list needs at least one value");
    return `(${values.map((v) => this.p(v)).join(", ")})`;
  }
}

export async function execute(db: Db, sql: Sql, text: string): Promise<number> {
  return db.client.$executeRawUnsafe(text, ...sql.params);
}

export async function query<T>(db: Db, sql: Sql, text: string): Promise<T[]> {
  return db.client.$queryRawUnsafe<T[]>(text, ...sql.params);
}

/** SQLite keeps DateTime as integer milliseconds (client.server.ts); PostgreSQL as timestamp(3). */
export function epochDayExpr(dialect: Dialect, column: string): string {
  return dialect === "sqlite"
    ? `(${column} / 86400000)`
    : `(EXTRACT(EPOCH FROM ${column})::bigint / 86400)`;
}

/** Integer division truncating toward zero (PostgreSQL's SUM of bigint is numeric, so `/` would not). */
export function intDivExpr(dialect: Dialect, a: string, b: string): string {
  return dialect === "sqlite" ? `((${a}) / (${b}))` : `div((${a}), (${b}))`;
}

/** Numbers from aggregates arrive as bigint (SQLite), string/Decimal (PostgreSQL) or number. */
export function toBigInt(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  return BigInt(String(value).split(".")[0]!);
}

export function toNumber(value: unknown): number {
  return Number(toBigInt(value));
}
