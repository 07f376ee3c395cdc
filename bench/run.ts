// `npm run bench [-- name…]`: runs the benchmarks (all, or those named) and writes their figures
// into docs/BENCHMARKS.md with the machine and date. Benchmarks are never timed unit tests.
const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  backfill: () => import("./backfill.bench"),
  editor: () => import("./editor.bench"),
  export: () => import("./export.bench"),
  ingest: () => import("./ingest.bench"),
  pixel: () => import("./pixel.bench"),
  "pixel-preview": () => import("./pixel-preview.bench"),
  proxy: () => import("./proxy.bench"),
  models: () => import("./models.bench"),
  recommend: () => import("./recommend.bench"),
  predictions: () => import("./predictions.bench"),
  seed: () => import("./seed.bench"),
  segments: () => import("./segments.bench"),
};

const names = process.argv.slice(2);
for (const name of names) {
  if (!BENCHMARKS[name]) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(", ")}`);
    process.exit(2);
  }
}
for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
  console.log(`\n== ${name}`);
  await (await BENCHMARKS[name]!()).run();
}
export {};
