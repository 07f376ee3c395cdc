// Customers' Web Pixel events as the in-memory evaluator reads them (Subject.events,
// app/domain/segments/engine/behaviour.ts): a JSON column of the customers' statement
// (subjects.server.ts), one array per event.
import { epochMsExpr, type Executor } from "~/db/database.server";
import { normalizeTags } from "~/domain/rows";
import type { BrowseEvent } from "~/domain/segments/engine";
import { jsonRows, parseJsonRows } from "./json-rows";

/** The customer's (`c`) events with the viewed product's current tags. */
export function browsingJson(dialect: Executor["dialect"]) {
  return jsonRows(
    dialect,
    [
      `pe."name"`,
      epochMsExpr(dialect, `pe."at"`),
      `pe."sessionId"`,
      `pe."productId"`,
      `pe."productType"`,
      `pe."vendor"`,
      `pe."collectionId"`,
      `pe."query"`,
      `pr."tags"`,
    ],
    `FROM "PixelEvent" pe
     LEFT JOIN "Product" pr ON pr."shop" = pe."shop" AND pr."id" = pe."productId"
     WHERE pe."shop" = c."shop" AND pe."customerId" = c."id"`,
  );
}

type BrowsingRow = [
  name: string,
  at: number,
  sessionId: string | null,
  productId: string | null,
  productType: string | null,
  vendor: string | null,
  collectionId: string | null,
  query: string | null,
  productTags: string | null,
];

export function decodeBrowsing(value: unknown): BrowseEvent[] {
  return parseJsonRows<BrowsingRow>(value).map(
    ([name, at, sessionId, productId, productType, vendor, collectionId, query, tags]) => ({
      name,
      at: new Date(at),
      sessionId,
      productId,
      productType,
      vendor,
      collectionId,
      query,
      productTags: tags ? normalizeTags(tags) : [],
    }),
  );
}
