// Lifecycle stages: the shop's thresholds (the merchant's to change, within the schema's bounds) and
// each stage as a prepared rule, so that both engines compute stages the way they compute any rule.
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { z } from "zod";
import type { EngineContext, Prepared } from "../engine";
import { Unsupported } from "./values";

export type LifecycleThresholds = { lapsingDays: number; lapsedDays: number; loyalOrders: number };

export const DEFAULT_LIFECYCLE: LifecycleThresholds = { lapsingDays: 90, lapsedDays: 180, loyalOrders: 4 };

/** What a merchant may set: lapsing before lapsed, and loyal above a first repeat order. */
export const LifecycleThresholdsSchema = z
  .object({
    lapsingDays: z
      .number()
      .int("lapsing needs a whole number of days")
      .min(1, "lapsing needs at least 1 day")
      .max(3650, "lapsing can be at most 3650 days (10 years)"),
    lapsedDays: z
      .number()
      .int("lapsed needs a whole number of days")
      .min(2, "lapsed needs at least 2 days")
      .max(3650, "lapsed can be at most 3650 days (10 years)"),
    loyalOrders: z
      .number()
      .int("loyal needs a whole number of orders")
      .min(2, "loyal needs at least 2 orders")
      .max(1000, "loyal can be at most 1000 orders"),
  })
  .refine((t) => t.lapsedDays > t.lapsingDays, { message: "lapsed must come after lapsing", path: ["lapsedDays"] });

/**
 * Lifecycle stages, one per customer, from facts and the shop's thresholds (the merchant's to change):
 * PROSPECT no order; LAPSED last order more than `lapsedDays` ago; LAPSING more than `lapsingDays`
 * ago; otherwise NEW (one order), REPEAT (two up to loyalOrders - 1) or LOYAL (loyalOrders or more).
 * Expressed in the engine's own terms, so both engines agree by construction.
 */
export function lifecycleStage(stage: string, ctx: EngineContext): Prepared {
  const t = ctx.lifecycle ?? DEFAULT_LIFECYCLE;
  const today = localDate(ctx.now, ctx.timeZone);
  const lapsedBefore = dayStart(addToYmd(today, -t.lapsedDays, "d"), ctx.timeZone).getTime();
  const lapsingBefore = dayStart(addToYmd(today, -t.lapsingDays, "d"), ctx.timeZone).getTime();
  const buyer: Prepared = { kind: "int", field: "ordersCount", op: ">=", value: 1n };
  const active: Prepared = { kind: "instant", field: "lastOrderAt", range: { from: lapsingBefore, to: null } };
  switch (stage) {
    case "PROSPECT":
      return { kind: "int", field: "ordersCount", op: "=", value: 0n };
    case "LAPSED":
      return {
        kind: "and",
        children: [buyer, { kind: "instant", field: "lastOrderAt", range: { from: null, to: lapsedBefore } }],
      };
    case "LAPSING":
      return {
        kind: "and",
        children: [buyer, { kind: "instant", field: "lastOrderAt", range: { from: lapsedBefore, to: lapsingBefore } }],
      };
    case "NEW":
      return { kind: "and", children: [{ kind: "int", field: "ordersCount", op: "=", value: 1n }, active] };
    case "REPEAT":
      return {
        kind: "and",
        children: [{ kind: "intRange", field: "ordersCount", low: 2n, high: BigInt(t.loyalOrders - 1) }, active],
      };
    case "LOYAL":
      return {
        kind: "and",
        children: [{ kind: "int", field: "ordersCount", op: ">=", value: BigInt(t.loyalOrders) }, active],
      };
    default:
      throw new Unsupported(`unknown lifecycle stage ${stage}`);
  }
}
