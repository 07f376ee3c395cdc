// `models fit-bgnbd` and `models fit-gg`: the customer-base models fitted to a summary CSV, touching no
// database. The `models` command itself, with the shop-wide subcommands (fit, predict, backtest), is in
// predictions.ts and calls these.
import fs from "node:fs";
import path from "node:path";
import { fitBgNbd } from "~/domain/models/bgnbd";
import { fitGammaGamma } from "~/domain/models/gamma-gamma";
import { parseBgNbdCsv, parseGammaGammaCsv } from "~/domain/models/summary-csv";
import { CommandError, str, UsageError, type CliContext } from "../command";

/** Subcommands that read only a file: they open no database. */
export const FILE_SUBCOMMANDS = ["fit-bgnbd", "fit-gg"];

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

export function fitBgNbdFile(ctx: CliContext): number {
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

export function fitGammaGammaFile(ctx: CliContext): number {
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

export const FILE_USAGE = `  models fit-bgnbd --summary <csv> [--json]
        fit BG/NBD to a summary CSV (header with frequency,recency,T in any one time unit; other
        columns ignored): prints r, alpha, a, b and the log-likelihood ll; no database
  models fit-gg --summary <csv> [--json]
        fit Gamma-Gamma to a summary CSV (frequency,monetary_value or x,zbar; frequency 0 rows
        left out): prints p, q, gamma and ll; no database`;
