// The words the admin uses for groups of customers, one meaning each (decision 034). "Loyal", "new",
// "lapsing" and "lapsed" are lifecycle stages, defined by the shop's thresholds (Settings); the
// templates that carry those words select the stage itself. Shopify's RFM groups keep their spelling in
// queries (so a rule pastes into Shopify's editor) but are always shown with "(RFM)": "Loyal (RFM)" is
// a quintile score within the shop, not the stage. Pure: shared by pages, templates and insights.
import type { LifecycleThresholds } from "./engine/lifecycle";
import type { LIFECYCLE_STAGES } from "./attributes";

export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** An RFM group in words, marked as RFM: "PREVIOUSLY_LOYAL" -> "Previously loyal (RFM)". */
export function rfmGroupLabel(value: string): string {
  const words = value.toLowerCase().replace(/_/g, " ");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} (RFM)`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** Each lifecycle stage's name and what puts a customer in it, with the shop's thresholds. */
export function lifecycleStages(t: LifecycleThresholds): { stage: LifecycleStage; label: string; rule: string }[] {
  const active = `the last within ${plural(t.lapsingDays, "day", "days")}`;
  return [
    { stage: "PROSPECT", label: "Prospect", rule: "no order yet" },
    { stage: "NEW", label: "New", rule: `one order, ${active}` },
    {
      stage: "REPEAT",
      label: "Repeat",
      rule:
        t.loyalOrders - 1 === 2
          ? `2 orders, ${active}`
          : `2 to ${(t.loyalOrders - 1).toLocaleString("en-US")} orders, ${active}`,
    },
    { stage: "LOYAL", label: "Loyal", rule: `${plural(t.loyalOrders, "order", "orders")} or more, ${active}` },
    {
      stage: "LAPSING",
      label: "Lapsing",
      rule: `last order ${t.lapsingDays.toLocaleString("en-US")} to ${t.lapsedDays.toLocaleString("en-US")} days ago`,
    },
    { stage: "LAPSED", label: "Lapsed", rule: `last order more than ${plural(t.lapsedDays, "day", "days")} ago` },
  ];
}

/** One sentence for help text: "Lifecycle stages: Prospect, no order yet; New, one order, …". */
export function lifecycleSummary(t: LifecycleThresholds): string {
  return `Lifecycle stages: ${lifecycleStages(t)
    .map((s) => `${s.label}, ${s.rule}`)
    .join("; ")}.`;
}
