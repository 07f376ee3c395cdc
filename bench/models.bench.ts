// Models, the pure part: fit BG/NBD and Gamma-Gamma and score every customer (P(alive), expected orders
// in 90 days, 12-month CLV, churn risk, spend tier) for synthetic shops of 100k and 1M customers held in
// memory — `fitAndScore` (app/domain/models/pipeline.ts), the function the nightly refit calls. The
// database's part (reading summaries, writing predictions) is measured with the insights wiring. Each
// size runs in its own process so its peak RSS is its own. BENCH_MODELS_SIZES sets the sizes.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createRandom } from "~/demo/random";
import { fitBgNbd } from "~/domain/models/bgnbd";
import { scoreCustomers, type ClvRow } from "~/domain/models/clv";
import { fitGammaGamma } from "~/domain/models/gamma-gamma";
import { simulateBgNbdCustomer, simulateMeanValue } from "~/domain/models/simulate";
import { machine, ROOT, today, writeSection } from "./lib";

// A shop in days: purchase rate about one order in 100 days, a third drop out after each repeat
// purchase on average, customers acquired over two years, order values around 60.
const BG = { r: 0.6, alpha: 60, a: 0.7, b: 1.5 };
const GG = { p: 4, q: 5, gamma: 60 };

/** n customers summarised in whole days, seeded. */
export function syntheticShop(n: number, seed = 1): ClvRow[] {
  const random = createRandom(seed);
  const rows: ClvRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const T = random.int(0, 730);
    const s = simulateBgNbdCustomer(BG, T, random, true);
    rows[i] = { ...s, m: s.x > 0 ? Math.round(simulateMeanValue(GG, s.x, random) * 100) / 100 : 0 };
  }
  return rows;
}

type Figures = {
  n: number;
  repeatBuyers: number;
  fitBgNbdMs: number;
  fitGgMs: number;
  scoreMs: number;
  totalMs: number;
  bgIterations: number;
  ggIterations: number;
  fittedOn: number;
  peakRssMiB: number;
  params: Record<string, number>;
};

function measure(n: number): Figures {
  const rows = syntheticShop(n);
  const repeat = rows.filter((r) => r.x > 0).map((r) => ({ x: r.x, m: r.m }));
  const t0 = performance.now();
  const bg = fitBgNbd(rows);
  const t1 = performance.now();
  const gg = fitGammaGamma(repeat);
  const t2 = performance.now();
  if (!bg.ok || !gg.ok) throw new Error(`fit failed: ${JSON.stringify({ bg, gg })}`);
  const scores = scoreCustomers(bg.params, gg.params, rows, { unit: "days" });
  const t3 = performance.now();
  if (scores.clv.some((v) => !Number.isFinite(v))) throw new Error("a CLV is not finite");
  return {
    n,
    repeatBuyers: repeat.length,
    fitBgNbdMs: t1 - t0,
    fitGgMs: t2 - t1,
    scoreMs: t3 - t2,
    totalMs: t3 - t0,
    bgIterations: bg.iterations,
    ggIterations: gg.iterations,
    fittedOn: bg.fittedOn,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    params: { ...bg.params, ...gg.params },
  };
}

function child(n: number): Figures {
  const result = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "tsx"),
    ["bench/models.bench.ts", "--child", String(n)],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 16 * 2 ** 20 },
  );
  if (result.status !== 0) throw new Error(`models bench (${n}) failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Figures;
}

const s = (ms: number) => (ms / 1000).toFixed(2);

export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_MODELS_SIZES ?? "100000,1000000").split(",").map(Number);
  const rows: string[] = [];
  for (const n of sizes) {
    const f = child(n);
    console.log(JSON.stringify(f));
    rows.push(
      `| ${n.toLocaleString("en-US")} | ${f.repeatBuyers.toLocaleString("en-US")} | ${s(f.fitBgNbdMs)} s (${f.bgIterations} it., on ${f.fittedOn.toLocaleString("en-US")}) | ${s(f.fitGgMs)} s (${f.ggIterations} it.) | ${s(f.scoreMs)} s | **${s(f.totalMs)} s** | ${Math.round(f.peakRssMiB)} MiB |`,
    );
  }
  writeSection(
    "models",
    `## Models, pure part (\`npm run bench -- models\`)

${today()}, ${machine()}; load average (1 min) before: ${os.loadavg()[0]!.toFixed(2)}. Synthetic shops in memory
(BG/NBD r 0.6, α 60 days, a 0.7, b 1.5; Gamma-Gamma p 4, q 5, γ 60; ages 0–730 days; summaries in whole
days), through the three steps of \`fitAndScore\`: BG/NBD fit (a seeded sample of 200,000 customers above
that), Gamma-Gamma fit on the repeat buyers (same sampling), and scoring every customer (P(alive),
expected orders in 90 days, 12-month CLV at 10% a year, churn risk, spend tier). Generating the data is
not timed; peak RSS is the whole child process's, data included. The database's part (reading
summaries, writing predictions) is not in these figures; the issue's targets for the whole pipeline
with it are 100k <= 5 s and 1M <= 30 s. Iterations include those of the 10,000-customer pilot fit.

| customers | repeat buyers | fit BG/NBD | fit Gamma-Gamma | score all | total | peak RSS |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}`,
  );
}

if (process.argv[2] === "--child") {
  console.log(JSON.stringify(measure(Number(process.argv[3]))));
}
