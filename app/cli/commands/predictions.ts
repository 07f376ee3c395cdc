// Predictions and clusters (issue 11): fit the shop's models and write every customer's predictions,
// read one customer's, backtest, cluster; and the models fitted straight from a summary CSV.
import {
  CommandError,
  parseNow,
  positiveInt,
  requireShop,
  str,
  UsageError,
  type CliCommand,
  type CliContext,
} from "../command";
import { formatRate, parseDiscountRate } from "~/models/predictions/settings";
import { FILE_USAGE, fitBgNbdFile, fitGammaGammaFile } from "./models";

const models: CliCommand = {
  name: "models",
  usage: `  models fit --shop DOMAIN [--now ISO] [--json]
        fit BG/NBD and Gamma-Gamma on the shop's orders and write every customer's predictions
        (progress on stderr), then recompute the segments that read a prediction
  models predict --shop DOMAIN --customer ID [--json]
        one customer's stored predictions and cluster
  models backtest --shop DOMAIN [--holdout-days N] [--now ISO] [--json]
        refit on the orders before the last N days (default 91) and compare with what happened
  models settings --shop DOMAIN [--discount-rate PERCENT] [--json]
        the shop's model settings; with --discount-rate, sets the yearly discount rate of the predicted
        customer value (0-100, used from the next refit), as the Settings page does
${FILE_USAGE}`,
  options: {
    shop: { type: "string" },
    customer: { type: "string" },
    now: { type: "string" },
    "holdout-days": { type: "string" },
    summary: { type: "string" },
    "discount-rate": { type: "string" },
  },
  database: (sub, values) =>
    sub === "fit-bgnbd" || sub === "fit-gg"
      ? "none"
      : sub === "predict" || (sub === "settings" && values["discount-rate"] === undefined)
        ? "read"
        : "write",
  check(values, positionals) {
    const sub = positionals[0];
    if (sub === "fit-bgnbd" || sub === "fit-gg") return; // their own checks: models.ts
    if (sub !== "fit" && sub !== "predict" && sub !== "backtest" && sub !== "settings")
      throw new UsageError(`models ${sub ?? ""}: expected fit, predict, backtest, settings, fit-bgnbd or fit-gg`);
    requireShop(values.shop);
    if (sub === "predict" && !str(values, "customer")) throw new UsageError("models predict needs --customer ID");
    const rate = str(values, "discount-rate");
    if (rate !== undefined) {
      if (sub !== "settings") throw new UsageError("--discount-rate is for models settings");
      const parsed = parseDiscountRate(rate);
      if (!parsed.ok) throw new UsageError(`--discount-rate: ${parsed.error}`);
    }
  },
  run: (ctx) => modelsCommand(ctx),
};

async function modelsCommand(ctx: CliContext): Promise<number> {
  const { values, positionals, out } = ctx;
  const sub = positionals[0];
  if (sub === "fit-bgnbd") return fitBgNbdFile(ctx);
  if (sub === "fit-gg") return fitGammaGammaFile(ctx);
  // Only now: a command that opens no database throws when it is read.
  const { db } = ctx;
  const shop = requireShop(values.shop);
  const now = parseNow(values.now);
  if (sub === "fit") {
    const { fitShop } = await import("~/models/predictions/fit.server");
    const outcome = await fitShop(db, {
      shop,
      now,
      onProgress: (p) => {
        process.stderr.write(
          `  ${p.stage}${p.total > 1 ? ` ${p.done.toLocaleString("en-US")}/${p.total.toLocaleString("en-US")}` : ""}\n`,
        );
      },
    });
    out.print(
      { ...outcome, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
      outcome.status === "ok"
        ? `fitted ${shop} on ${outcome.customers} customers in ${(outcome.durationMs / 1000).toFixed(1)} s: ` +
            `BG/NBD ${fmt(outcome.bgnbd)}; Gamma-Gamma ${outcome.gg ? fmt(outcome.gg) : `not fitted (${outcome.ggReason})`}; ` +
            `${outcome.written} predictions written; ${outcome.segmentsRecomputed} segments recomputed in ${(outcome.segmentsMs / 1000).toFixed(1)} s`
        : `not fitted: ${outcome.reason}`,
    );
    return outcome.status === "ok" ? 0 : 1;
  }
  if (sub === "settings") {
    const { modelSettings, saveModelSettings } = await import("~/models/predictions/settings.server");
    const rate = str(values, "discount-rate");
    if (rate !== undefined) {
      const parsed = parseDiscountRate(rate);
      if (!parsed.ok) throw new UsageError(`--discount-rate: ${parsed.error}`);
      if (!(await saveModelSettings(db, { shop, discountRatePercent: parsed.percent })))
        throw new CommandError(`no shop ${shop} (install it first)`);
    }
    const settings = await modelSettings(db, { shop });
    out.print(
      { shop, ...settings },
      `${shop}: discount rate ${formatRate(settings.discountRatePercent)} a year${rate === undefined ? "" : " (saved; used from the next refit)"}`,
    );
    return 0;
  }
  if (sub === "predict") {
    const { predictionOf } = await import("~/models/predictions/store.server");
    const customerId = str(values, "customer")!;
    const p = await predictionOf(db, { shop, customerId });
    if (!p)
      throw new CommandError(
        `no predictions for customer ${customerId} in ${shop} (no order yet, or no fit yet: models fit)`,
      );
    const value = {
      shop,
      customerId,
      pAlive: p.pAlive,
      expectedOrders90d: p.expectedOrders90d,
      predictedClvMinor: p.predictedClvMinor === null ? null : p.predictedClvMinor.toString(),
      predictedSpendTier: p.predictedSpendTier,
      churnRisk: p.churnRisk,
      cluster: p.clusterName,
      computedAt: p.computedAt?.toISOString() ?? null,
    };
    out.print(
      value,
      Object.entries(value)
        .map(([k, v]) => `${k}: ${v ?? "—"}`)
        .join("\n"),
    );
    return 0;
  }
  const { runBacktest, DEFAULT_HOLDOUT_DAYS, checkHoldout } = await import("~/models/predictions/backtest.server");
  const holdout = positiveInt("holdout-days", values["holdout-days"], DEFAULT_HOLDOUT_DAYS);
  try {
    checkHoldout(holdout);
  } catch (error) {
    throw new UsageError(`--holdout-days: ${(error as Error).message}`);
  }
  const result = await runBacktest(db, { shop, now, holdout });
  out.print({ shop, ...result }, result.summary);
  return result.status === "ok" ? 0 : 1;
}

function fmt(params: Record<string, number> | null): string {
  if (!params) return "—";
  return Object.entries(params)
    .map(([k, v]) => `${k} ${Number(v.toPrecision(5))}`)
    .join(", ");
}

const clusters: CliCommand = {
  name: "clusters",
  usage: `  clusters --shop DOMAIN [--method kmeans|ward] [--k N] [--now ISO] [--json]
        cluster the shop's customers (k chosen by silhouette over 2..8 unless --k), name and profile
        each cluster, and write every customer's cluster`,
  options: { shop: { type: "string" }, method: { type: "string" }, k: { type: "string" }, now: { type: "string" } },
  database: "write",
  check(values) {
    requireShop(values.shop);
    const method = str(values, "method");
    if (method !== undefined && method !== "kmeans" && method !== "ward")
      throw new UsageError(`--method must be kmeans or ward, got "${method}"`);
    if (values.k !== undefined) {
      const k = positiveInt("k", values.k, 0);
      if (k < 2 || k > 8) throw new UsageError(`--k must be a whole number from 2 to 8, got ${k}`);
    }
  },
  async run({ db, values, out }) {
    const shop = requireShop(values.shop);
    const { clusterShop } = await import("~/models/predictions/clusters.server");
    const method = (str(values, "method") ?? "kmeans") as "kmeans" | "ward";
    const k = values.k === undefined ? undefined : positiveInt("k", values.k, 0);
    const result = await clusterShop(db, { shop, now: parseNow(values.now), method, k });
    out.print(
      { shop, ...result },
      result.status === "ok"
        ? [
            `${result.k} clusters (${method}) of ${result.customers} customers:`,
            ...result.profiles.map(
              (p) => `  ${p.cluster}: ${p.name} — ${p.size} customers, median ${p.medianOrders} orders`,
            ),
          ].join("\n")
        : `not clustered: ${result.reason}`,
    );
    return result.status === "ok" ? 0 : 1;
  },
};

export const predictionCommands: CliCommand[] = [models, clusters];
