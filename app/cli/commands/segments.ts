// Segments and the lifecycle thresholds they read.
import { parseNow, positiveInt, requireShop, str, UsageError, type CliCommand, type CliContext } from "../command";

const segments: CliCommand = {
  name: "segments",
  usage: `  segments count --shop DOMAIN --query "<query>" [--now ISO] [--json]
        how many of the shop's customers a segment query selects (--now fixes the clock)
  segments create --shop DOMAIN --name NAME --query "<query>" [--now ISO] [--json]
  segments list --shop DOMAIN [--json]
  segments recompute --shop DOMAIN [--now ISO] [--progress] [--json]
        save a segment (members computed at once), list them, recompute them all`,
  options: {
    shop: { type: "string" },
    query: { type: "string" },
    name: { type: "string" },
    now: { type: "string" },
    progress: { type: "boolean", default: false },
  },
  database: (sub) => (sub === "count" || sub === "list" ? "read" : "write"),
  check: (values) => void requireShop(values.shop),
  async run(ctx) {
    const { SegmentRuleError, SegmentTimeoutError } = await import("~/models/segments/errors");
    try {
      return await segmentCommand(ctx);
    } catch (error) {
      if (error instanceof SegmentRuleError || error instanceof SegmentTimeoutError)
        throw new UsageError(error.message);
      throw error;
    }
  },
};

async function segmentCommand({ db, values, positionals, out }: CliContext): Promise<number> {
  const sub = positionals[0];
  const shop = requireShop(values.shop);
  const { parseQuery, shopContext } = await import("~/models/segments/rules.server");
  const { countMatching } = await import("~/models/segments/read-models.server");
  const { createSegment, listSegments } = await import("~/models/segments/definitions.server");
  const { recomputeAll } = await import("~/models/segments/recompute.server");
  const now = parseNow(values.now);
  const query = str(values, "query");
  if (sub === "count") {
    if (!query) throw new UsageError('segments count needs --query "<segment query>"');
    const ctx = await shopContext(db, { shop, now });
    const checked = parseQuery(query, ctx);
    if (!checked.ok) throw new UsageError(checked.error);
    const count = await countMatching(db, { shop, rule: checked.rule, ctx });
    out.print({ shop, query, now: now.toISOString(), count }, String(count));
    return 0;
  }
  if (sub === "create") {
    const name = str(values, "name");
    if (!query || !name) throw new UsageError('segments create needs --name "<name>" and --query "<segment query>"');
    const id = await createSegment(db, { shop, name, query, now });
    const [row] = (await listSegments(db, { shop, now })).filter((s) => s.id === id);
    out.print(
      { shop, id, name, members: row?.memberCount ?? 0 },
      `segment ${id} "${name}": ${row?.memberCount ?? 0} members`,
    );
    return 0;
  }
  if (sub === "list") {
    const list = await listSegments(db, { shop, now });
    out.print(
      {
        shop,
        segments: list.map((s) => ({
          ...s,
          lastComputedAt: s.lastComputedAt?.toISOString() ?? null,
          createdAt: s.createdAt.toISOString(),
        })),
      },
      list
        .map((s) => `${s.id}\t${s.memberCount}\t${s.change7d >= 0 ? "+" : ""}${s.change7d}\t${s.name}\t${s.query}`)
        .join("\n") || "no segments",
    );
    return 0;
  }
  if (sub === "recompute") {
    const started = Date.now();
    const onProgress = values.progress
      ? (done: number, total: number) =>
          process.stderr.write(
            `recomputed ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} customer passes\n`,
          )
      : undefined;
    const results = await recomputeAll(db, { shop, now, onProgress });
    const seconds = (Date.now() - started) / 1000;
    // A segment that could not be computed is reported, and the others are computed all the same.
    const line = (r: (typeof results)[number]) =>
      r.error ? `${r.name}: not computed: ${r.error}` : `${r.name}: ${r.members} (+${r.entered} -${r.left})`;
    out.print({ shop, seconds, segments: results }, results.map(line).join("\n") + `\n${seconds.toFixed(2)} s`);
    return 0;
  }
  throw new UsageError(`segments ${sub ?? ""}: expected count, create, list or recompute`);
}

const lifecycle: CliCommand = {
  name: "lifecycle",
  usage: `  lifecycle --shop DOMAIN [--lapsing-days N] [--lapsed-days N] [--loyal-orders N] [--json]
        show or change the lifecycle stage thresholds (segments are recomputed when they change)`,
  options: {
    shop: { type: "string" },
    "lapsing-days": { type: "string" },
    "lapsed-days": { type: "string" },
    "loyal-orders": { type: "string" },
  },
  database: "write",
  async run({ db, values, out }) {
    const shop = requireShop(values.shop);
    const { LifecycleThresholdsSchema } = await import("~/domain/segments/engine");
    const { shopContext } = await import("~/models/segments/rules.server");
    const { setLifecycleThresholds } = await import("~/models/segments/definitions.server");
    const current = (await shopContext(db, { shop, now: new Date() })).lifecycle!;
    const given = (name: string, fallback: number) => (values[name] ? positiveInt(name, values[name], 0) : fallback);
    const wanted = {
      lapsingDays: given("lapsing-days", current.lapsingDays),
      lapsedDays: given("lapsed-days", current.lapsedDays),
      loyalOrders: given("loyal-orders", current.loyalOrders),
    };
    const checked = LifecycleThresholdsSchema.safeParse(wanted);
    if (!checked.success)
      throw new UsageError(checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    // Stages move: the segments that speak of them follow at once.
    const { changed } = await setLifecycleThresholds(db, { shop, thresholds: checked.data, now: new Date() });
    out.print(
      { shop, ...checked.data, changed },
      `${shop}: lapsing after ${checked.data.lapsingDays} days, lapsed after ${checked.data.lapsedDays}, loyal from ${checked.data.loyalOrders} orders`,
    );
    return 0;
  },
};

export const segmentCommands = [segments, lifecycle];
