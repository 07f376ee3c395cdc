// `tailored destinations`, `export` and `privacy` on a seeded demo shop, on both databases: the CSV file
// holds exactly the segment's members; a Klaviyo export prints its counts and only consenting members
// reach the stand-in; --sync sends the changes since; a key the service refuses is an error naming no key.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Db } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { newEncryptionKey } from "~/export/secrets.server";
import { writeMembershipChanges } from "~/models/segments/memberships.server";
import { CommandError } from "~/cli/main";
import { cli, cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";

const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-06-30T12:00:00Z";
const KEY = "pk_cli_0123456789abcdef";

describe.each(DIALECTS)("export from the command line on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let fake: FakeKlaviyo;
  let segment: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-export-cli-"));
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    fake = await new FakeKlaviyo(KEY).start();
    vi.stubEnv("TAILORED_ENCRYPTION_KEY", newEncryptionKey());
    vi.stubEnv("KLAVIYO_API_ORIGIN", fake.url);
    await cliJson(database.url, "seed", "--customers", "300", "--now", NOW);
    ({ id: segment } = await cliJson<{ id: number }>(
      database.url,
      "segments",
      "create",
      "--shop",
      SHOP,
      "--name",
      "Buyers",
      "--query",
      "number_of_orders >= 1",
      "--now",
      NOW,
    ));
    db = openDatabase(database.config);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await db.close();
    await fake.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the segment's members to a CSV file, the fields asked for, one row each", async () => {
    const file = path.join(dir, "buyers.csv");
    const result = await cliJson<{ members: number }>(
      database.url,
      "export",
      "--shop",
      SHOP,
      "--segment",
      String(segment),
      "--to",
      "csv",
      "--out",
      file,
      "--fields",
      "customer_id,email,number_of_orders",
      "--bom",
    );
    const bytes = fs.readFileSync(file, "utf8");
    expect(bytes.startsWith("\uFEFF")).toBe(true);
    const rows = parse(bytes.slice(1)) as string[][];
    expect(rows[0]).toEqual(["Customer ID", "Email", "Orders"]);
    const members = await db.all(
      sql`SELECT m."customerId" AS id, c."email" AS email FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
       WHERE m."shop" = ${SHOP} AND m."segmentId" = ${segment} ORDER BY m."customerId"`,
      decoder({ id: text, email: text }),
    );
    expect(result.members).toBe(members.length);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual(members.map((m) => [m.id, m.email]));
    expect(rows.slice(1).every((r) => Number(r[2]) >= 1)).toBe(true);
  });

  it("takes prediction fields: empty while the shop has no fit", async () => {
    const file = path.join(dir, "predicted.csv");
    await cliJson(
      database.url,
      "export",
      "--shop",
      SHOP,
      "--segment",
      String(segment),
      "--to",
      "csv",
      "--out",
      file,
      "--fields",
      "customer_id,predicted_clv,p_alive,churn_risk,predicted_spend_tier,expected_orders_90d,cluster",
    );
    const rows = parse(fs.readFileSync(file, "utf8")) as string[][];
    expect(rows[0]).toEqual([
      "Customer ID",
      "Predicted 12-month value",
      "P(alive)",
      "Churn risk",
      "Predicted spend tier",
      "Expected orders (90 days)",
      "Cluster",
    ]);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows.slice(1)) expect(row.slice(1)).toEqual(["", "", "", "", "", ""]);
  });

  it("refuses a field it does not know, and a segment the shop does not have", async () => {
    await expect(
      cli(
        database.url,
        "export",
        "--shop",
        SHOP,
        "--segment",
        String(segment),
        "--to",
        "csv",
        "--out",
        path.join(dir, "x.csv"),
        "--fields",
        "password",
      ),
    ).rejects.toThrow(/unknown field "password"/);
    await expect(
      cli(
        database.url,
        "export",
        "--shop",
        SHOP,
        "--segment",
        "999999",
        "--to",
        "csv",
        "--out",
        path.join(dir, "x.csv"),
      ),
    ).rejects.toThrow(CommandError);
  });

  it("connects Klaviyo (a refused key is an error that does not repeat it)", async () => {
    const refused = cli(
      database.url,
      "destinations",
      "connect",
      "--shop",
      SHOP,
      "--service",
      "klaviyo",
      "--api-key",
      "pk_refused_999",
    );
    await expect(refused).rejects.toThrow(/Klaviyo refused the key \(HTTP 400\)$/);
    const connected = await cliJson(
      database.url,
      "destinations",
      "connect",
      "--shop",
      SHOP,
      "--service",
      "klaviyo",
      "--api-key",
      KEY,
    );
    expect(connected).toEqual({ shop: SHOP, service: "klaviyo", account: "Stand-in Store", connected: true });
    const listed = await cli(database.url, "destinations", "list", "--shop", SHOP, "--json");
    expect(listed.stdout).not.toContain(KEY);
  });

  it("exports to Klaviyo with --sync, printing the counts; only consenting members are sent; then the changes only", async () => {
    const { stdout } = await cli(
      database.url,
      "export",
      "--shop",
      SHOP,
      "--segment",
      String(segment),
      "--to",
      "klaviyo",
      "--sync",
    );
    const counts = JSON.parse(stdout) as {
      status: string;
      sent: number;
      skipped: number;
      failed: number;
      mode: string;
    };
    const consenting = await db.all(
      sql`SELECT c."email" AS email FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
       WHERE m."shop" = ${SHOP} AND m."segmentId" = ${segment} AND c."emailMarketingState" = 'SUBSCRIBED' AND c."email" IS NOT NULL`,
      decoder({ email: text }),
    );
    expect(counts).toMatchObject({ status: "done", mode: "full", sent: consenting.length, failed: 0 });
    expect(counts.skipped).toBeGreaterThan(0);
    expect([...fake.imported].sort()).toEqual(consenting.map((c) => c.email.toLowerCase()).sort());

    const [leaver] = consenting;
    const [id] = await db.all(
      sql`SELECT "id" FROM "Customer" WHERE "shop" = ${SHOP} AND "email" = ${leaver!.email}`,
      decoder({ id: text }),
    );
    await db.transaction((tx) =>
      writeMembershipChanges(tx, {
        shop: SHOP,
        at: new Date(),
        changes: [{ segmentId: segment, customerId: id!.id, entered: false }],
      }),
    );
    const second = await cliJson<{ mode: string; sent: number }>(
      database.url,
      "export",
      "--shop",
      SHOP,
      "--segment",
      String(segment),
      "--to",
      "klaviyo",
      "--sync",
    );
    expect(second).toMatchObject({ mode: "sync", sent: 1 });
    expect(fake.imported).toHaveLength(consenting.length);
  });

  it("has no privacy report for a customer nobody asked about", async () => {
    await expect(cli(database.url, "privacy", "report", "--shop", SHOP, "--customer", "123")).rejects.toThrow(
      /no data request report/,
    );
    await expect(cli(database.url, "privacy", "report", "--shop", SHOP, "--customer", "abc")).rejects.toThrow(
      /--customer/,
    );
  });
});
