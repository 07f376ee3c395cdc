// The streamed CSV on both databases, against the rows its pieces make: members read page by page
// with only the columns the fields show (members.server.ts), and the same members read whole with
// every column, written with the same fields, give the same text; members without facts or predictions
// are kept; the BOM and the header come first.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { join, sql } from "~/db/sql";
import { DEFAULT_FIELDS, FIELD_NAMES, headerRow, memberRow, type FieldName } from "~/export/csv";
import { csvNodeStream, exportContext } from "~/export/csv-stream.server";
import { csvRecords, UTF8_BOM } from "~/export/csv-text";
import { memberPage } from "~/export/members.server";
import { writePredictions } from "~/models/predictions/store.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { customer, t } from "../helpers/rows";

const SHOP = "stream.myshopify.com";
const now = t("2026-06-15T12:00:00Z");
const IDS = ["101", "102", "103", "104", "105", "106", "107"];

async function streamed(db: Db, segmentId: number, fields: readonly FieldName[], pageSize: number, bom = false) {
  const chunks: Buffer[] = [];
  for await (const chunk of csvNodeStream(db, { shop: SHOP, segmentId, fields, now, pageSize, bom }))
    chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe.each(DIALECTS)("the streamed CSV on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let segmentId: number;
  let empty: number;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Stream", currencyCode: "KWD", ianaTimezone: "America/New_York" });
    await upsertCustomers(db, {
      shop: SHOP,
      now,
      rows: IDS.map((id, i) =>
        customer({
          id,
          firstName: ["Zoë", "=cmd", 'say "hi"', "a,b", "line\nbreak", "", "Ada"][i]!,
          city: i % 2 ? null : "Paris",
          tags: i % 3 ? ["vip"] : [],
          emailMarketingState: i % 2 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
        }),
      ),
    });
    // Facts for some (none for 102 and 106: a LEFT JOIN's members without them stay in the export).
    const facts = IDS.filter((id) => id !== "102" && id !== "106").map(
      (id, i) =>
        sql`(${SHOP}, ${id}, ${i + 1}, ${BigInt(i) * 1234567n}, ${i ? BigInt(i) * 1000n : null}, ${t("2025-03-09T06:59:59.999Z")}, ${t(`2026-0${i + 1}-15T10:00:00Z`)}, ${i ? "LOYAL" : null}, ${now})`,
    );
    await db.run(
      sql`INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "amountSpentMinor", "aovMinor", "firstOrderAt", "lastOrderAt", "rfmGroup", "computedAt") VALUES ${join(facts)}`,
    );
    await writePredictions(db, {
      shop: SHOP,
      computedAt: now,
      rows: [
        {
          customerId: "104",
          pAlive: 0.5,
          expectedOrders90d: 2,
          predictedClvMinor: 5n,
          predictedSpendTier: "LOW",
          churnRisk: "HIGH",
        },
      ],
    });
    const segment = async (name: string, members: string[]) => {
      const [row] = await db.all(
        sql`INSERT INTO "Segment" ("shop", "name", "query", "rule", "createdAt", "updatedAt") VALUES (${SHOP}, ${name}, 'x', '{}', ${now}, ${now}) RETURNING "id"`,
      );
      const id = Number(row!.id);
      if (members.length > 0)
        await db.run(
          sql`INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since") VALUES ${join(members.map((m) => sql`(${SHOP}, ${id}, ${m}, ${now})`))}`,
        );
      return id;
    };
    segmentId = await segment(
      "All but 105",
      IDS.filter((id) => id !== "105"),
    );
    empty = await segment("Nobody", []);
  });
  afterAll(async () => close());

  it.each([
    ["every field", FIELD_NAMES, 2],
    ["the default fields", DEFAULT_FIELDS, 3],
    ["the id alone", ["customer_id"] as FieldName[], 1],
    ["a few", ["lifecycle_stage", "city", "p_alive", "amount_spent"] as FieldName[], 100],
  ])("writes %s page by page as the members read whole with every column", async (_name, fields, pageSize) => {
    const ctx = await exportContext(db, { shop: SHOP, now });
    const whole = await memberPage(db, { shop: SHOP, segmentId, after: "", limit: 100, predictions: true });
    expect(whole.map((m) => m.id)).toEqual(["101", "102", "103", "104", "106", "107"]);
    const expected = csvRecords([headerRow(fields), ...whole.map((m) => memberRow(m, fields, ctx))]);
    expect((await streamed(db, segmentId, fields, pageSize)).toString("utf8")).toBe(expected);
  });

  it("keeps members without facts, and reads back as the cells it wrote", async () => {
    const rows = parse(
      await streamed(db, segmentId, ["customer_id", "number_of_orders", "lifecycle_stage"], 2),
    ) as string[][];
    expect(rows.find((r) => r[0] === "102")).toEqual(["102", "0", "PROSPECT"]);
    expect(rows.find((r) => r[0] === "106")).toEqual(["106", "0", "PROSPECT"]);
    const names = parse(await streamed(db, segmentId, ["first_name"], 2)) as string[][];
    expect(names.map((r) => r[0])).toEqual(["First name", "Zoë", "'=cmd", 'say "hi"', "a,b", "", "Ada"]);
  });

  it("writes the BOM and the header first, and only them for an empty segment", async () => {
    const bytes = await streamed(db, empty, ["email", "tags"], 5_000, true);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.toString("utf8")).toBe(`${UTF8_BOM}Email,Tags\r\n`);
  });
});
