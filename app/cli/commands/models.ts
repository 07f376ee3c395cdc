// `models`: the customer-base models. fit-bgnbd and fit-gg fit a summary CSV and touch no database;
// the shop-wide subcommands (fit, predict, backtest --shop) come with the insights wiring.
import fs from "node:fs";
import path from "node:path";
import { fitBgNbd } from "~/domain/models/bgnbd";
import { fitGammaGamma } from "~/domain/models/gamma-gamma";
import { parseBgNbdCsv, parseGammaGammaCsv } from "~/domain/models/summary-csv";
import { CommandError, str, UsageError, type CliCommand, type CliContext } from "../command";

/** Subcommands that read only a file: they open no database. */
const FILE_SUBCOMMANDS = ["fit-bgnbd", "fit-gg"];

function readSummary(ctx: CliContext, sub: string): string {
  const file = str(ctx.values, "summary");
  if (!file) throw new UsageError(`models ${sub}: --summary <csv> is required`);
  const full = path.resolve(ctx.cwd, file);
  try {
    return fs.readFileSync(full, "utf8");
  } catch (error) {
    throw new CommandError(`models ${sub}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

const round = (v: number) => Number(v.toPrecision(8));

function fitBgNbdFile(ctx: CliContext): number {
  const parsed = parseBgNbdCsv(readSummary(ctx, "fit-bgnbd"));
  if (!parsed.ok) throw new UsageError(`models fit-bgnbd: ${parsed.error}`);
  const fit = fitBgNbd(parsed.rows);
  if (!fit.ok) throw new CommandError(`models fit-bgnbd: ${fit.reason}`);
  const { r, alpha, a, b } = fit.params;
  ctx.out.print(
    {
      r,
      alpha,
      a,
      b,
      ll: fit.logLikelihood,
      n: fit.n,
      iterations: fit.iterations,
      converged: fit.converged,
    },
    `BG/NBD on ${fit.n} customers: r ${round(r)}, alpha ${round(alpha)}, a ${round(a)}, b ${round(b)}; ` +
      `log-likelihood ${round(fit.logLikelihood)} (${fit.iterations} iterations${fit.converged ? "" : ", not converged"})`,
  );
  return 0;
}

function fitGammaGammaFile(ctx: CliContext): number {
  const parsed = parseGammaGammaCsv(readSummary(ctx, "fit-gg"));
  if (!parsed.ok) throw new UsageError(`models fit-gg: ${parsed.error}`);
  const fit = fitGammaGamma(parsed.rows);
  if (!fit.ok) throw new CommandError(`models fit-gg: ${fit.reason}`);
  const { p, q, gamma } = fit.params;
  ctx.out.print(
    { p, q, gamma, ll: fit.logLikelihood, n: fit.n, iterations: fit.iterations, converged: fit.converged },
    `Gamma-Gamma on ${fit.n} repeat buyers: p ${round(p)}, q ${round(q)}, gamma ${round(gamma)}; ` +
      `log-likelihood ${round(fit.logLikelihood)} (${fit.iterations} iterations${fit.converged ? "" : ", not converged"})`,
  );
  return 0;
}

const models: CliCommand = {
  name: "models",
  usage: `  models fit-bgnbd --summary <csv> [--json]
        fit BG/NBD to a summary CSV (header with frequency,recency,T in any one time unit; other
        columns ignored): prints r, alpha, a, b and the log-likelihood ll; no database
  models fit-gg --summary <csv> [--json]
        fit Gamma-Gamma to a summary CSV (frequency,monetary_value or x,zbar; frequency 0 rows
        left out): prints p, q, gamma and ll; no database`,
  options: {
    summary: { type: "string" },
  },
  database: (sub) => (sub !== undefined && FILE_SUBCOMMANDS.includes(sub) ? "none" : "write"),
  check(_values, positionals) {
    const sub = positionals[0];
    if (!sub || !FILE_SUBCOMMANDS.includes(sub)) {
      throw new UsageError(`models ${sub ?? ""}: expected ${FILE_SUBCOMMANDS.join(" or ")}`);
    }
  },
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (sub === "fit-bgnbd") return fitBgNbdFile(ctx);
    if (sub === "fit-gg") return fitGammaGammaFile(ctx);
    throw new UsageError(`models ${sub ?? ""}: expected ${FILE_SUBCOMMANDS.join(" or ")}`);
  },
};

export const modelCommands: CliCommand[] = [models];
