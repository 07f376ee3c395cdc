// Fixtures shared by the mapper tests (rest.test.ts, rest-orders.test.ts, graphql.test.ts,
// shared.test.ts): the webhook payloads and bulk JSONL under tests/fixtures, and the rows the story's
// customer and first order map to. Not imported by the app.
import { readFileSync } from "node:fs";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import type { MapResult } from "./shared";

// Fresh copies every time: tests edit them.
export type Json = Record<string, any>;
export const FIXTURES = new URL("../../../tests/fixtures/", import.meta.url);
export const webhook = (topic: string): Json =>
  JSON.parse(readFileSync(new URL(`webhooks/${topic.replace("/", "__")}.json`, FIXTURES), "utf8"));
export const jsonl = (name: string): Json[] =>
  readFileSync(new URL(`bulk/${name}.jsonl`, FIXTURES), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));

export function value<T>(result: MapResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result.value;
}

export const MAYA: CustomerRow = {
  id: "7731250036789",
  email: "maya.patel@example.com",
  firstName: "Maya",
  lastName: "Patel",
  countryCode: "CA",
  provinceCode: "ON",
  city: "Toronto",
  tags: [],
  emailMarketingState: "NOT_SUBSCRIBED",
  smsMarketingState: "NOT_SUBSCRIBED",
  createdAt: new Date("2025-02-02T18:05:44Z"),
  updatedAt: new Date("2025-02-02T18:05:44Z"),
};

// #1001: presented in CAD (176.28), shop currency USD (128.69).
export const ORDER_1001: OrderRow = {
  id: "6012345678901",
  name: "#1001",
  customerId: "7731250036789",
  email: "maya.patel@example.com",
  createdAt: new Date("2025-03-14T14:22:05Z"),
  processedAt: new Date("2025-03-14T14:22:05Z"),
  updatedAt: new Date("2025-03-14T14:22:05Z"),
  cancelledAt: null,
  currencyCode: "USD",
  totalMinor: 12869n,
  refundedMinor: 0n,
  financialStatus: "AUTHORIZED",
  test: false,
  lines: [
    {
      id: "14567890123456",
      productId: "8412345678901",
      variantId: "45123456789012",
      title: "Merino Crew Sweater",
      sku: "NL-MCS-NAVY-M",
      productType: null,
      vendor: "Northloom",
      quantity: 1,
      priceMinor: 8760n,
    },
    {
      id: "14567890123489",
      productId: "8412345678934",
      variantId: "45123456789045",
      title: "Wool Hiking Socks",
      sku: "NL-WHS-GRY",
      productType: null,
      vendor: "Northloom",
      quantity: 2,
      priceMinor: 1314n,
    },
  ],
};
