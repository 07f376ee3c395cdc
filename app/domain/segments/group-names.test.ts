import { describe, expect, it } from "vitest";
import { LIFECYCLE_STAGES, RFM_GROUPS } from "./attributes";
import { DEFAULT_LIFECYCLE } from "./engine";
import { describeTemplate, TEMPLATES } from "./templates";
import { lifecycleStages, lifecycleSummary, rfmGroupLabel } from "./group-names";

const shop = (lifecycle = DEFAULT_LIFECYCLE) => ({ lifecycle, money: (n: number) => `€${n}` });

describe("one meaning per word (decision 034)", () => {
  it("names every lifecycle stage once, with the shop's thresholds in its rule", () => {
    const stages = lifecycleStages({ lapsingDays: 45, lapsedDays: 120, loyalOrders: 6 });
    expect(stages.map((s) => s.stage).sort()).toEqual([...LIFECYCLE_STAGES].sort());
    expect(Object.fromEntries(stages.map((s) => [s.stage, `${s.label}: ${s.rule}`]))).toEqual({
      PROSPECT: "Prospect: no order yet",
      NEW: "New: one order, the last within 45 days",
      REPEAT: "Repeat: 2 to 5 orders, the last within 45 days",
      LOYAL: "Loyal: 6 orders or more, the last within 45 days",
      LAPSING: "Lapsing: last order 45 to 120 days ago",
      LAPSED: "Lapsed: last order more than 120 days ago",
    });
    expect(
      lifecycleStages({ lapsingDays: 1, lapsedDays: 2, loyalOrders: 3 }).find((s) => s.stage === "REPEAT")?.rule,
    ).toBe("2 orders, the last within 1 day");
    expect(lifecycleSummary(DEFAULT_LIFECYCLE)).toMatch(
      /^Lifecycle stages: Prospect, no order yet; .*Loyal, 4 orders or more/,
    );
  });

  it("marks every RFM group as RFM, so none reads as a lifecycle stage", () => {
    expect(rfmGroupLabel("LOYAL")).toBe("Loyal (RFM)");
    expect(rfmGroupLabel("PREVIOUSLY_LOYAL")).toBe("Previously loyal (RFM)");
    const stageLabels = new Set(lifecycleStages(DEFAULT_LIFECYCLE).map((s) => s.label));
    for (const group of RFM_GROUPS) expect(stageLabels.has(rfmGroupLabel(group))).toBe(false);
  });

  it("gives the loyal, lapsing and lapsed templates the stages themselves, described with the shop's thresholds", () => {
    const byKey = new Map(TEMPLATES.map((t) => [t.key, t]));
    expect(byKey.get("loyal")?.query).toBe("lifecycle_stage = 'LOYAL'");
    expect(byKey.get("win-back")?.query).toBe("lifecycle_stage = 'LAPSED'");
    expect(byKey.get("at-risk")?.query).toBe("lifecycle_stage = 'LAPSING' AND number_of_orders >= 2");
    expect(describeTemplate(byKey.get("loyal")!, shop({ lapsingDays: 60, lapsedDays: 200, loyalOrders: 5 }))).toBe(
      "The Loyal lifecycle stage: 5 or more orders, the latest within 60 days (set in Settings).",
    );
    expect(describeTemplate(byKey.get("high-value")!, shop())).toBe("Spent €500 or more in total.");
    // No template other than the stage's own calls itself loyal, new, lapsing or lapsed.
    for (const t of TEMPLATES) {
      const words = `${t.name} ${t.description}`.toLowerCase();
      for (const [word, stage] of [
        ["loyal", "LOYAL"],
        ["lapsing", "LAPSING"],
        ["lapsed", "LAPSED"],
      ] as const)
        if (words.includes(word)) expect(t.query, t.key).toContain(`lifecycle_stage = '${stage}'`);
      expect(t.name.toLowerCase()).not.toMatch(/\bnew customers\b/);
    }
  });
});
