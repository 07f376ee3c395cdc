// The database as the app sees it: the Prisma client for typed reads and small writes, and an
// `Executor` that runs parameterised SQL straight on the driver (better-sqlite3 or node-postgres) for
// the bulk paths — upserts from webhooks and backfills, aggregates, later the segment SQL compiler.
// Prisma's raw queries cost 5–10× more per row than the driver (docs/decisions/002-bulk-sql.md).
// Statements are written with sql`…` (app/db/sql.ts, docs/decisions/016-one-way-to-write-sql.md):
// SQL text is never built from input, every value is a parameter.
import type { PrismaClient } from "@prisma/client";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { createPrismaClient, withConnectionOptions } from "./client.server";
import type { DatabaseConfig, Dialect } from "./config";
import { raw, sql, type RowDecoder, type SqlQuery } from "./sql";
import { SQLITE_PRIVACY_PRAGMAS } from "./pragmas";
import { parseTimestamp } from "./timestamp";
import { startCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from "~/single-node/index.server";

export type Row = Record<string, unknown>;

export interface Executor {
  readonly dialect: Dialect;
  /** Runs a statement (sql`…`, app/db/sql.ts); returns the number of rows it changed. */
  run(query: SqlQuery): Promise<number>;
  /** Runs a query and decodes each row (`decoder({ id: text, n: int })`, app/db/sql.ts). */
  all<T>(query: SqlQuery, decode: RowDecoder<T>): Promise<T[]>;
  /** Raw rows: integers arrive as bigint (SQLite) or bigint/string (PostgreSQL): decode them. */
  all<T extends Row = Row>(query: SqlQuery): Promise<T[]>;
  /**
   * Raw rows as arrays, the columns in the select list's order (values as `all` gives them). For a
   * caller reading rows by the million (the CSV export): both drivers make an array for less than
   * an object with a key per column.
   */
  tuples(query: SqlQuery): Promise<unknown[][]>;
  /** Runs `fn` in one transaction; inside a transaction it joins the outer one. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * SQLite only (undefined elsewhere, and inside a transaction): copies the WAL into the database file
   * and truncates it, so that no frame keeps pages as they were before an erasure. Waits at most
   * `waitMs` for readers on older snapshots (the thread is blocked meanwhile); false if they held on.
   */
  truncateWal?(waitMs: number): Promise<boolean>;
}

export interface Db extends Executor {
  readonly prisma: PrismaClient;
  close(): Promise<void>;
}

/** Rows through the caller's decoder, when it gave one. */
function decoded(rows: Row[], decode: unknown): unknown[] {
  return typeof decode === "function" ? rows.map(decode as RowDecoder<unknown>) : rows;
}

export type OpenOptions = {
  /**
   * SQLite: WAL checkpoints run in a thread of their own instead of inside this connection's commits
   * (the production server's writer thread; see app/single-node/checkpointer.server.ts).
   */
  checkpointThread?: boolean;
};

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Db {
  const prisma = createPrismaClient(config);
  const executor = config.dialect === "sqlite" ? sqliteExecutor(config.file, options) : postgresExecutor(config.url);
  return {
    ...executor,
    dialect: config.dialect,
    prisma,
    close: async () => {
      await executor.close();
      await prisma.$disconnect();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// SQLite: one synchronous connection. An async transaction must not let other callers' statements in
// between its own, so everything on the connection queues behind a lock.

class Lock {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * A statement prepared with positional placeholders. sql`…` numbers its placeholders (`@p3`), and
 * better-sqlite3 would bind those by name: an object with a key per value, looked up by name for each
 * one — a measurable share of a 200-row upsert. So the text is rewritten once, at prepare time, to
 * anonymous `?` placeholders, with `order` saying which value each one takes.
 */
type Prepared = { statement: Database.Statement; order: number[] };

/** String literals, quoted names and comments, which a placeholder is never inside, or a placeholder. */
const PLACEHOLDERS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|@p(\d+)/g;

function preparePositional(conn: Database.Database, text: string): Prepared {
  const order: number[] = [];
  const positional = text.replace(PLACEHOLDERS, (match, n: string | undefined) => {
    if (n === undefined) return match;
    order.push(Number(n) - 1);
    return "?";
  });
  return { statement: conn.prepare(positional), order };
}

function sqliteParams({ order }: Prepared, params: readonly unknown[]): unknown[] {
  const values = new Array<unknown>(order.length);
  for (let i = 0; i < order.length; i++) values[i] = sqliteValue(params[order[i]!]);
  return values;
}

function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime(); // as the Prisma adapter stores them (client.server.ts)
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}

function sqliteExecutor(file: string, options: OpenOptions): Executor & { close(): Promise<void> } {
  const conn = new Database(file, { timeout: 10_000 });
  conn.pragma("journal_mode = WAL");
  // WAL with synchronous=NORMAL is durable against a process crash; only an OS crash can lose the
  // last transactions, and never corrupts the file.
  conn.pragma("synchronous = NORMAL");
  conn.pragma("foreign_keys = ON");
  for (const pragma of SQLITE_PRIVACY_PRAGMAS) conn.pragma(pragma);
  // The webhook writer's connection leaves checkpoints to a thread of its own (app/single-node).
  let stopCheckpointer: (() => Promise<void>) | undefined;
  if (options.checkpointThread) {
    conn.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    stopCheckpointer = startCheckpointer(file);
  }
  // Without statistics the planner can walk a whole shop's rows through a primary key instead of a
  // selective index (a segment-membership lookup went from 0.04 ms to 45 ms). SQLite's recommended
  // start-up step: analyse, on a bounded sample, whatever tables lack or have stale statistics.
  conn.pragma("analysis_limit = 1000");
  conn.pragma("optimize = 0x10002");
  const lock = new Lock();
  const statements = new Map<string, Prepared>();
  const prepare = (text: string) => {
    let prepared = statements.get(text);
    if (!prepared) {
      if (statements.size > 500) statements.clear();
      prepared = preparePositional(conn, text);
      statements.set(text, prepared);
    }
    return prepared;
  };
  const make = (inTransaction: boolean): Executor => {
    const guard = <T>(fn: () => T): Promise<T> => (inTransaction ? Promise.resolve().then(fn) : lock.run(fn));
    const self: Executor = {
      dialect: "sqlite",
      run: (query: SqlQuery) =>
        guard(() => {
          const { text, params } = query.render("sqlite");
          const prepared = prepare(text);
          return prepared.statement.run(sqliteParams(prepared, params)).changes;
        }),
      all: (query: SqlQuery, decode?: unknown) =>
        guard(() => {
          const { text, params } = query.render("sqlite");
          const prepared = prepare(text);
          const rows = prepared.statement.safeIntegers(true).raw(false).all(sqliteParams(prepared, params)) as Row[];
          return decoded(rows, decode);
        }),
      // The same prepared statement serves `all` and `tuples`: each sets the mode it reads in.
      tuples: (query: SqlQuery) =>
        guard(() => {
          const { text, params } = query.render("sqlite");
          const prepared = prepare(text);
          return prepared.statement.safeIntegers(true).raw(true).all(sqliteParams(prepared, params)) as unknown[][];
        }),
      transaction: <T>(fn: (tx: Executor) => Promise<T>): Promise<T> => {
        if (inTransaction) return fn(self);
        return lock.run(async () => {
          conn.exec("BEGIN IMMEDIATE");
          try {
            const result = await fn(make(true));
            conn.exec("COMMIT");
            return result;
          } catch (error) {
            if (conn.inTransaction) conn.exec("ROLLBACK");
            throw error;
          }
        });
      },
    };
    return self;
  };
  return {
    ...make(false),
    truncateWal: (waitMs) =>
      lock.run(() => {
        // In one turn of the lock, so that no other statement of this connection runs with the short wait.
        conn.pragma(`busy_timeout = ${Math.max(0, Math.floor(waitMs))}`);
        try {
          const [row] = conn.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
          return row?.busy === 0;
        } finally {
          conn.pragma("busy_timeout = 10000");
        }
      }),
    close: async () => {
      await stopCheckpointer?.();
      await lock.run(() => void conn.close());
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// PostgreSQL: a pool; a transaction holds one client.

// Prisma's DateTime is `timestamp(3)` without time zone, holding UTC. node-postgres would read it as
// local time and write Dates in local time, so both directions are pinned to UTC here.
const pgTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") => {
    if (oid === 1114) return parseTimestamp;
    if (oid === 20) return (text: string) => BigInt(text);
    return pg.types.getTypeParser(oid, format);
  },
};

function postgresValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(postgresValue);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return null;
  return value;
}

/**
 * The name a `reused` statement is prepared under on each connection: from its text, so one text has
 * one name (node-postgres refuses a name given another text on the same connection).
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `t_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}
const statementNames = new Map<string, string>();

function execute(client: pg.Pool | pg.PoolClient, query: SqlQuery, rowMode?: "array"): Promise<pg.QueryResult> {
  const { text, params } = query.render("postgres");
  return client.query({
    text,
    values: params.map(postgresValue),
    ...(query.reused ? { name: statementName(text) } : {}),
    ...(rowMode ? { rowMode } : {}),
  });
}

function postgresExecutor(url: string): Executor & { close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: withConnectionOptions(url), max: 10, types: pgTypes });
  // An idle connection the server closes (a restart, a failover, an administrator) is dropped from
  // the pool and the next query opens a new one; unhandled, its error would end the process.
  pool.on("error", () => undefined);
  const make = (client: pg.Pool | pg.PoolClient, inTransaction: boolean): Executor => {
    const self: Executor = {
      dialect: "postgres",
      run: async (query: SqlQuery) => (await execute(client, query)).rowCount ?? 0,
      all: async (query: SqlQuery, decode?: unknown) => decoded((await execute(client, query)).rows as Row[], decode),
      tuples: async (query: SqlQuery) => (await execute(client, query, "array")).rows as unknown[][],
      transaction: async <T>(fn: (tx: Executor) => Promise<T>): Promise<T> => {
        if (inTransaction) return fn(self);
        const connection = await pool.connect();
        // A connection lost mid-transaction fails the running query, which rolls back; the event
        // itself needs no handler beyond keeping the process alive.
        const ignore = () => undefined;
        connection.on("error", ignore);
        try {
          await connection.query("BEGIN");
          const result = await fn(make(connection, true));
          await connection.query("COMMIT");
          return result;
        } catch (error) {
          await connection.query("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          connection.removeListener("error", ignore);
          connection.release();
        }
      },
    };
    return self;
  };
  return { ...make(pool, false), close: () => pool.end() };
}

// ---------------------------------------------------------------------------------------------------
// Bounds on statements a merchant's input shapes (segment previews, counts, recomputes).

/**
 * Within a transaction on PostgreSQL: the statements that follow are cancelled after `ms`
 * milliseconds ("default": back to the session's own setting, as the server's or the role's
 * configuration gave it), until the transaction ends or this is called again. A statement waiting
 * for a lock waits within the bound too. SQLite has no such setting (better-sqlite3 offers neither a
 * timeout nor a progress handler): there the rule's size caps (app/domain/segments/limits.ts) are
 * what bounds a statement.
 */
export async function setStatementTimeout(tx: Executor, ms: number | "default"): Promise<void> {
  if (tx.dialect !== "postgres") return;
  // A number of ours, never input, in the text: SET takes no parameters.
  const value = ms === "default" ? "DEFAULT" : String(Math.max(0, Math.floor(ms)));
  await tx.run(sql`SET LOCAL statement_timeout TO ${raw(value)}`);
}

/**
 * `fn` with its statements bounded by `ms` on PostgreSQL, in a transaction of its own (SET LOCAL ends
 * with it); on SQLite `fn` runs on `db` as it is, outside any transaction (a transaction there would
 * take the one writer's lock for a read).
 */
export async function withStatementTimeout<T>(db: Executor, ms: number, fn: (tx: Executor) => Promise<T>): Promise<T> {
  if (db.dialect !== "postgres") return fn(db);
  return db.transaction(async (tx) => {
    await setStatementTimeout(tx, ms);
    return fn(tx);
  });
}

/** PostgreSQL cancelled the statement: its statement_timeout, or pg_cancel_backend. */
export function isStatementCancelled(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "57014";
}

/**
 * Whether an error is the statement's own (too complex, too many parameters, a value out of range,
 * cancelled after its timeout, out of memory for it) rather than the database's (a lost connection, a
 * lock, a full disk): the first kind may pass when the statement is split, the second will not.
 */
export function isStatementFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
    // PostgreSQL's SQLSTATE classes: data exception, syntax or access rule, insufficient resources,
    // program limit exceeded; and query_canceled.
    return /^(22|42|53|54)/.test(code) || code === "57014";
  }
  // better-sqlite3: SQLITE_ERROR is "Expression tree is too large", "too many SQL variables" and the
  // like; SQLITE_TOOBIG a statement or value past its limit. A RangeError is a value it cannot bind.
  if (code === "SQLITE_ERROR" || code === "SQLITE_TOOBIG" || code === "SQLITE_NOMEM") return true;
  return error instanceof RangeError;
}

// ---------------------------------------------------------------------------------------------------
// Dialect differences in SQL text.

/** Whole UTC days since the epoch: SQLite keeps DateTime as integer ms, PostgreSQL as timestamp(3). */
export function epochDayExpr(dialect: Dialect, column: string): string {
  return dialect === "sqlite" ? `(${column} / 86400000)` : `(EXTRACT(EPOCH FROM ${column})::bigint / 86400)`;
}

/** Milliseconds since the epoch, as an integer: SQLite keeps DateTime so; PostgreSQL's are UTC. */
export function epochMsExpr(dialect: Dialect, column: string): string {
  return dialect === "sqlite" ? column : `(EXTRACT(EPOCH FROM ${column}) * 1000)::bigint`;
}

/** Integer division truncating toward zero (PostgreSQL's SUM of bigint is numeric, so `/` would not). */
export function intDivExpr(dialect: Dialect, a: string, b: string): string {
  return dialect === "sqlite" ? `((${a}) / (${b}))` : `div((${a}), (${b}))`;
}
