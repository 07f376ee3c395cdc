// Segment rules as the services use them: the shop's engine context, a query parsed and checked for
// it, and stored rules read back (validated once per text, prepared once per shop-local day), with
// the questions the services ask of a rule's tree.
import type { Executor } from "~/db/database.server";
import { decoder, int, sql, text } from "~/db/sql";
import { localDate } from "~/domain/calendar";
import { DEFAULT_LIFECYCLE, prepare, type EngineContext } from "~/domain/segments/engine";
import { formatError, parse } from "~/domain/segments/query-language";
import { validateRule, type Rule } from "~/domain/segments/rule";
import { SegmentRuleError } from "./errors";

export async function shopContext(db: Executor, { shop, now }: { shop: string; now: Date }): Promise<EngineContext> {
  const [row] = await db.all(
    sql`SELECT "ianaTimezone", "currencyCode", "lifecycleLapsingDays", "lifecycleLapsedDays", "lifecycleLoyalOrders"
     FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({
      ianaTimezone: text,
      currencyCode: text,
      lifecycleLapsingDays: int,
      lifecycleLapsedDays: int,
      lifecycleLoyalOrders: int,
    }),
  );
  if (!row) return { now, timeZone: "UTC", currencyCode: "USD", lifecycle: DEFAULT_LIFECYCLE, shop };
  return {
    now,
    shop,
    timeZone: row.ianaTimezone,
    currencyCode: row.currencyCode,
    lifecycle: {
      lapsingDays: row.lifecycleLapsingDays,
      lapsedDays: row.lifecycleLapsedDays,
      loyalOrders: row.lifecycleLoyalOrders,
    },
  };
}

/** Parses and checks a query for a shop; the error says where and what, for the editor and the CLI. */
export function parseQuery(query: string, ctx: EngineContext): { ok: true; rule: Rule } | { ok: false; error: string } {
  const parsed = parse(query);
  if (!parsed.ok) return { ok: false, error: parsed.errors.map((e) => formatError(query, e)).join("\n") };
  const prepared = prepare(parsed.rule, ctx);
  if (!prepared.ok) return { ok: false, error: prepared.error };
  return { ok: true, rule: parsed.rule };
}

// Validating a stored rule (zod) costs far more than evaluating it; the per-event path would pay it
// for every segment on every event. Rules are immutable per stored JSON text, so cache by text.
const validated = new Map<string, Rule>();

function storedRule(json: string): Rule {
  const cached = validated.get(json);
  if (cached) return cached;
  const rule = validateStored(json);
  if (validated.size > 10_000) validated.clear();
  validated.set(json, rule);
  return rule;
}

// Preparing a rule resolves its dates for a day in the shop's zone: the prepared form depends on the
// moment only through that local date (engine.ts reads ctx.now nowhere else), so within a day every
// event of the shop can share it. Keyed by everything prepare reads.
const preparedRules = new Map<string, ReturnType<typeof prepare>>();

/** A stored rule prepared for the moment, or why it cannot be: an invalid stored rule is not thrown. */
export function preparedStored(json: string, ctx: EngineContext): ReturnType<typeof prepare> {
  const l = ctx.lifecycle ?? DEFAULT_LIFECYCLE;
  const key = [
    localDate(ctx.now, ctx.timeZone),
    ctx.timeZone,
    ctx.currencyCode,
    ctx.shop ?? "",
    l.lapsingDays,
    l.lapsedDays,
    l.loyalOrders,
    json,
  ].join("\u0000");
  const cached = preparedRules.get(key);
  if (cached) return cached;
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(storedRule(json), ctx);
  } catch (error) {
    if (!(error instanceof SegmentRuleError)) throw error;
    prepared = { ok: false, error: error.message };
  }
  if (preparedRules.size > 10_000) preparedRules.clear();
  preparedRules.set(key, prepared);
  return prepared;
}

function validateStored(json: string): Rule {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    throw new SegmentRuleError("stored rule is not valid JSON: save the segment's query again");
  }
  const checked = validateRule(input);
  if (!checked.ok)
    throw new SegmentRuleError(`stored rule is invalid: ${checked.issues.map((i) => i.message).join("; ")}`);
  return checked.rule;
}

/** The stored rule, or null when it is not a valid one (a recompute marks that segment; others go on). */
export function storedRuleOrNull(json: string): Rule | null {
  try {
    return storedRule(json);
  } catch (error) {
    if (error instanceof SegmentRuleError) return null;
    throw error;
  }
}

/** Whether some node of a rule's tree passes the test. */
function someNode(rule: Rule, test: (node: Rule) => boolean): boolean {
  if (test(rule)) return true;
  switch (rule.kind) {
    case "and":
    case "or":
      return rule.children.some((c) => someNode(c, test));
    case "not":
      return someNode(rule.child, test);
    default:
      return false;
  }
}

/** Whether a rule reads an attribute anywhere in its tree. */
export function readsAttribute(rule: Rule, attribute: string): boolean {
  return someNode(rule, (node) => node.kind === "condition" && node.attribute === attribute);
}

/** Whether a rule tests product tags (products_purchased(tag: …)), which live on the product, not the line. */
export function readsProductTags(rule: Rule): boolean {
  return someNode(
    rule,
    (node) => node.kind === "function" && node.name === "products_purchased" && node.args.some((a) => a.name === "tag"),
  );
}
