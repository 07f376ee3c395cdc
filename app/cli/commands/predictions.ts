// Predictions and clusters (issue 11): fit the shop's models and write every customer's predictions,
// read one customer's, backtest, cluster; and the models fitted straight from a summary CSV.
import fs from "node:fs";
import path from "node:path";
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

const models: CliCommand = {
  name: "models",
  usage: `  models fit --shop DOMAIN [--now ISO] [--json]
        fit BG/NBD and Gamma-Gamma on the shop's orders and write every customer's predictions
        (progress on stderr), then recompute the segments that read a prediction
  models predict --shop DOMAIN --customer ID [--json]
        one customer's stored predictions and cluster
  models backtest --shop DOMAIN [--holdout-days N] [--now ISO] [--json]
        refit on the orders before the last N days (default 91) and compare with what happened
  models fit-bgnbd --summary CSV [--json]
        BG/NBD from a CSV with frequency,recency,T columns: r, alpha, a, b, ll
  models fit-gg --summary CSV [--json]
        Gamma-Gamma from a CSV with frequency,monetary_value (or x,zbar) columns: p, q, gamma, ll`,
  options: {
    shop: { type: "string" },
    customer: { type: "string" },
    now: { type: "string" },
    "holdout-days": { type: "string" },
    summary: { type: "string" },
  },
  database: (sub) => (sub === "fit-bgnbd" || sub === "fit-gg" ? "none" : sub === "predict" ? "read" : "write"),
  check(values, positionals) {
    const sub = positionals[0];
    if (sub === "fit-bgnbd" || sub === "fit-gg") {
      if (!str(values, "summary")) throw new UsageError(`models ${sub} needs --summary <csv>`);
      return;
    }
    if (sub !== "fit" && sub !== "predict" && sub !== "backtest")
      throw new UsageError(`models needs a subcommand: fit, predict, backtest, fit-bgnbd or fit-gg`);
    requireShop(values.shop);
    if (sub === "predict" && !str(values, "customer")) throw new UsageError("models predict needs --customer ID");
  },
  run: (ctx) => modelsCommand(ctx),
};

async function modelsCommand(ctx: CliContext): Promise<number> {
  const { values, positionals, out, cwd } = ctx;
  const sub = positionals[0];
  if (sub === "fit-bgnbd" || sub === "fit-gg") return fitFromCsv(sub, path.resolve(cwd, str(values, "summary")!), out);
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
            `${outcome.written} predictions written, ${outcome.segmentsRecomputed} segments recomputed`
        : `not fitted: ${outcome.reason}`,
    );
    return outcome.status === "ok" ? 0 : 1;
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

/** A summary CSV: a header, then numbers; the columns named by the header (any order, others ignored). */
function readCsv(file: string, wanted: readonly (readonly string[])[]): number[][] {
  let textContent: string;
  try {
    textContent = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const lines = textContent.trim().split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const columns = wanted.map((names) => {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0) throw new UsageError(`${file}: no column ${names.join(" or ")} in the header`);
    return i;
  });
  return lines.slice(1).map((line, n) => {
    const cells = line.split(",");
    return columns.map((i) => {
      const v = Number(cells[i]);
      if (cells[i] === undefined || cells[i]!.trim() === "" || !Number.isFinite(v))
        throw new UsageError(`${file}: line ${n + 2}: "${cells[i] ?? ""}" is not a number`);
      return v;
    });
  });
}

async function fitFromCsv(sub: "fit-bgnbd" | "fit-gg", file: string, out: CliContext["out"]): Promise<number> {
  if (sub === "fit-bgnbd") {
    const { fitBgNbd } = await import("~/domain/models/bgnbd");
    const rows = readCsv(file, [["frequency", "x"], ["recency", "t_x"], ["T"]]).map(([x, tx, T]) => ({
      x: x!,
      tx: tx!,
      T: T!,
    }));
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new CommandError(`not fitted: ${fit.reason}`);
    const value = {
      ...fit.params,
      ll: fit.logLikelihood,
      iterations: fit.iterations,
      converged: fit.converged,
      n: fit.n,
    };
    out.print(
      value,
      `r ${fit.params.r}, alpha ${fit.params.alpha}, a ${fit.params.a}, b ${fit.params.b}, ll ${fit.logLikelihood}`,
    );
    return 0;
  }
  const { fitGammaGamma } = await import("~/domain/models/gamma-gamma");
  const rows = readCsv(file, [
    ["frequency", "x"],
    ["monetary_value", "zbar"],
  ])
    .map(([x, m]) => ({ x: x!, m: m! }))
    .filter((r) => r.x > 0);
  const fit = fitGammaGamma(rows);
  if (!fit.ok) throw new CommandError(`not fitted: ${fit.reason}`);
  const value = {
    ...fit.params,
    ll: fit.logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    n: fit.n,
  };
  out.print(value, `p ${fit.params.p}, q ${fit.params.q}, gamma ${fit.params.gamma}, ll ${fit.logLikelihood}`);
  return 0;
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
