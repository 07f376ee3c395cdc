// Which shops the webhook path accepts deliveries for, held in memory: the HTTP thread answers each
// delivery without a query (docs/decisions/005, 008: nothing on that path waits for the database).
// Built from the Shop rows and kept current three ways:
// - at once, for what this process does itself: the install hook (services/install.server.ts) and
//   app/uninstalled applied by the processor (which, in the production server's background thread,
//   tells the HTTP thread over their channel: background-thread.server.ts);
// - on a miss: a shop not held here (or held as uninstalled, for a topic it may not send then) may have
//   been installed by another process since (`tailored shops install`, another server), so the delivery
//   waits for a refresh that starts after it arrived.
//   Refreshes run one at a time and at most one per `minRefreshMs`, however many deliveries miss: a
//   flood of deliveries for unknown shops costs the database one small query a second, and each such
//   delivery waits that long at most;
// - every `refreshEveryMs` (rows changed since the last refresh, with an overlap for transactions that
//   committed late) and every `fullEveryMs` (every row: a deleted shop is forgotten).
// Pure apart from the timers: the rows come from `source` (models/shops.server.ts's shopStandings).

export type Standing = "installed" | "uninstalled" | "unknown";

export type ShopRow = { domain: string; installed: boolean; updatedAt: Date };

export type ShopRegistryOptions = {
  /** Refreshes that misses ask for start at most this often (default 1 s). */
  minRefreshMs?: number;
  /** Rows changed since the last refresh, this often (default 30 s). */
  refreshEveryMs?: number;
  /** Every row, this often (default 10 min). */
  fullEveryMs?: number;
  /** How far back an incremental refresh looks before the newest change it saw (default 2 min). */
  overlapMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
};

export class ShopRegistry {
  private shops = new Map<string, boolean>();
  private newest: number | null = null;
  private lastFull = -Infinity;
  private lastStarted = -Infinity;
  private chain: Promise<void> = Promise.resolve();
  private soon: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private notedWhileLoading: Map<string, boolean | null> | null = null;
  private readonly minRefreshMs: number;
  private readonly refreshEveryMs: number;
  private readonly fullEveryMs: number;
  private readonly overlapMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: (since: Date | null) => Promise<ShopRow[]>,
    private readonly options: ShopRegistryOptions = {},
  ) {
    this.minRefreshMs = options.minRefreshMs ?? 1_000;
    this.refreshEveryMs = options.refreshEveryMs ?? 30_000;
    this.fullEveryMs = options.fullEveryMs ?? 10 * 60_000;
    this.overlapMs = options.overlapMs ?? 2 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * From memory when the shop is held here and its standing is `enough` for the caller; else (a miss)
   * once a refresh that started after this call is done.
   */
  standing(shop: string, enough: (standing: Standing) => boolean = () => true): Standing | Promise<Standing> {
    const held = this.shops.get(shop);
    if (held !== undefined && enough(held ? "installed" : "uninstalled")) return held ? "installed" : "uninstalled";
    this.startTimer();
    return this.refreshSoon().then(() => {
      const now = this.shops.get(shop);
      return now === undefined ? "unknown" : now ? "installed" : "uninstalled";
    });
  }

  /**
   * What this process did itself: installed (OAuth, the CLI in-process), uninstalled (app/uninstalled),
   * or null: gone (shop/redact deleted the row; an incremental refresh cannot see a deleted row).
   */
  note(shop: string, installed: boolean | null): void {
    if (installed === null) this.shops.delete(shop);
    else this.shops.set(shop, installed);
    // A load in flight may have read the row before this change: its result must not undo it.
    this.notedWhileLoading?.set(shop, installed);
  }

  /** A refresh that starts no sooner than `minRefreshMs` after the last one began; callers share it. */
  refreshSoon(): Promise<void> {
    if (this.soon) return this.soon;
    const wait = Math.max(0, this.lastStarted + this.minRefreshMs - this.now());
    const soon = new Promise<void>((resolve) => (wait > 0 ? setTimeout(resolve, wait) : resolve())).then(() => {
      // From here on, a miss needs the next one: this one may have read before its shop was written.
      this.soon = null;
      return this.refresh();
    });
    this.soon = soon;
    return soon;
  }

  /** One refresh after those already queued: incremental, or full when one is due. */
  refresh(): Promise<void> {
    const run = this.chain.then(() => this.load());
    this.chain = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async load(): Promise<void> {
    const started = this.now();
    this.lastStarted = started;
    const full = this.newest === null || started - this.lastFull >= this.fullEveryMs;
    const noted = new Map<string, boolean | null>();
    this.notedWhileLoading = noted;
    let rows: ShopRow[];
    try {
      rows = await this.source(full ? null : new Date(this.newest! - this.overlapMs));
    } finally {
      this.notedWhileLoading = null;
    }
    if (full) {
      const fresh = new Map<string, boolean>();
      for (const row of rows) fresh.set(row.domain, row.installed);
      this.shops = fresh;
      this.lastFull = started;
    } else {
      for (const row of rows) this.shops.set(row.domain, row.installed);
    }
    for (const [shop, installed] of noted) {
      if (installed === null) this.shops.delete(shop);
      else this.shops.set(shop, installed);
    }
    for (const row of rows) this.newest = Math.max(this.newest ?? -Infinity, row.updatedAt.getTime());
    // An empty table: the next incremental refresh looks back from now.
    if (this.newest === null) this.newest = started;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.options.onError?.(error));
    }, this.refreshEveryMs);
    this.timer.unref();
  }
}

// ---------------------------------------------------------------------------------------------------
// What a shop's standing lets it send.

/** The mandatory compliance topics: their body names the shop (shop_domain). */
export const COMPLIANCE_TOPICS: ReadonlySet<string> = new Set([
  "customers/data_request",
  "customers/redact",
  "shop/redact",
]);

/**
 * What a shop that uninstalled may still send: the compliance topics (shop/redact comes 48 hours after
 * the uninstall, customers/redact and data requests may come any time) and app/uninstalled itself (a
 * redelivery).
 */
export const AFTER_UNINSTALL_TOPICS: ReadonlySet<string> = new Set([...COMPLIANCE_TOPICS, "app/uninstalled"]);

export function accepts(standing: Standing, topic: string): boolean {
  return standing === "installed" || (standing === "uninstalled" && AFTER_UNINSTALL_TOPICS.has(topic));
}

/**
 * The shop a delivery's (signed) body names, for the topics whose body names one; undefined for the
 * others. The X-Shopify-Shop-Domain header is not covered by the signature: a body signed for one shop
 * could be sent under another's name. Compliance bodies carry `shop_domain` (required: null when
 * missing); app/uninstalled's body is the shop, with `myshopify_domain`.
 */
export function shopNamedInBody(topic: string, body: unknown): string | null | undefined {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  if (COMPLIANCE_TOPICS.has(topic)) return typeof record.shop_domain === "string" ? record.shop_domain : null;
  if (topic === "app/uninstalled" && record.myshopify_domain !== undefined) {
    return typeof record.myshopify_domain === "string" ? record.myshopify_domain : null;
  }
  return undefined;
}
