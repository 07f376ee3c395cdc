// "Create as a native Shopify segment" (segmentCreate): offered only when the segment's rule says
// nothing Shopify's own segment language would read differently. Decided from the parsed rule, not the
// text: every attribute and function it names must be one Shopify has, computed from the same data.
// Tailored's own attributes are not, even where Shopify has one of the same name: rfm_group and
// predicted_spend_tier are Tailored's models there, not Shopify's; lifecycle, predictions, clusters and
// browsing (the Web Pixel) do not exist in Shopify at all. Pure.
import { getAttribute } from "~/domain/segments/attributes";
import { parse } from "~/domain/segments/query-language";
import type { Rule } from "~/domain/segments/rule";

/** Attributes Shopify's segment editor has, with the meaning Tailored gives them. */
export const SHOPIFY_ATTRIBUTES: ReadonlySet<string> = new Set([
  "amount_spent",
  "number_of_orders",
  "first_order_date",
  "last_order_date",
  "customer_added_date",
  "customer_tags",
  "customer_countries",
  "customer_regions",
  "customer_cities",
  "customer_email_domain",
  "email_subscription_status",
  "sms_subscription_status",
]);

/** Functions Shopify has, and the parameters of theirs it reads as Tailored does. */
export const SHOPIFY_FUNCTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["products_purchased", new Set(["id", "tag", "date"])],
]);

export type NativeCheck = { ok: true; query: string } | { ok: false; reason: string };

/** Whether the segment's query can become a native Shopify segment, and why not when it cannot. */
export function nativeSegmentCheck(query: string): NativeCheck {
  const parsed = parse(query);
  if (!parsed.ok) return { ok: false, reason: "The rule does not parse; fix it first" };
  const problem = firstProblem(parsed.rule);
  return problem ? { ok: false, reason: problem } : { ok: true, query: query.trim() };
}

function firstProblem(rule: Rule): string | null {
  switch (rule.kind) {
    case "and":
    case "or":
      for (const child of rule.children) {
        const problem = firstProblem(child);
        if (problem) return problem;
      }
      return null;
    case "not":
      return "It uses NOT ( … ) around a group, which Shopify's segment language does not have";
    case "condition": {
      if (SHOPIFY_ATTRIBUTES.has(rule.attribute)) return null;
      const def = getAttribute(rule.attribute);
      return `It uses ${rule.attribute}${def ? ` (${def.description.replace(/ \(Tailored extension\)$/, "")})` : ""}, which Tailored computes itself: Shopify's segments do not have it`;
    }
    case "function": {
      const params = SHOPIFY_FUNCTIONS.get(rule.name);
      if (!params) return `It uses ${rule.name}(…), which Shopify's segments do not have`;
      const other = rule.args.find((a) => !params.has(a.name));
      return other ? `It uses ${rule.name}(${other.name}: …), which Shopify's segments do not have` : null;
    }
  }
}
