import { afterEach, describe, expect, it, vi } from "vitest";
import { accepts, shopNamedInBody, ShopRegistry, type ShopRow, type Standing } from "./installed-shops";

const row = (domain: string, installed: boolean, at = "2026-01-01T00:00:00Z"): ShopRow => ({
  domain,
  installed,
  updatedAt: new Date(at),
});

/** A Shop table in memory: what each call of the source was asked, and the rows it gave. */
function table(initial: ShopRow[]) {
  let rows = [...initial];
  const calls: (string | null)[] = [];
  let gate: Promise<void> | null = null;
  return {
    calls,
    set: (next: ShopRow[]) => (rows = next),
    /** Holds the next loads until released. */
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    source: async (since: Date | null) => {
      calls.push(since?.toISOString() ?? null);
      if (gate) await gate;
      return rows.filter((r) => since === null || r.updatedAt >= since);
    },
  };
}

describe("ShopRegistry", () => {
  afterEach(() => vi.useRealTimers());

  it("answers from memory once loaded, and a miss waits for one refresh shared by every caller", async () => {
    const shops = table([row("a.myshopify.com", true), row("gone.myshopify.com", false)]);
    const registry = new ShopRegistry(shops.source);
    const first = ["a.myshopify.com", "gone.myshopify.com", "b.myshopify.com"].map((shop) => registry.standing(shop));
    expect(first.every((s) => s instanceof Promise)).toBe(true);
    expect(await Promise.all(first)).toEqual<Standing[]>(["installed", "uninstalled", "unknown"]);
    expect(shops.calls).toEqual([null]);
    // Held now: no promise, no query.
    expect(registry.standing("a.myshopify.com")).toBe("installed");
    expect(registry.standing("gone.myshopify.com")).toBe("uninstalled");
    expect(shops.calls).toHaveLength(1);
    registry.stop();
  });

  it("refreshes for misses at most once per minRefreshMs, however many deliveries miss", async () => {
    vi.useFakeTimers();
    const shops = table([row("a.myshopify.com", true)]);
    const registry = new ShopRegistry(shops.source, { minRefreshMs: 1_000 });
    await registry.standing("x.myshopify.com");
    expect(shops.calls).toHaveLength(1);
    // Installed by another process meanwhile; a thousand misses right after the last refresh.
    shops.set([row("a.myshopify.com", true), row("new.myshopify.com", true, "2026-01-02T00:00:00Z")]);
    const waiting = Array.from({ length: 1000 }, (_, i) =>
      registry.standing(i === 0 ? "new.myshopify.com" : `u${i}.myshopify.com`),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(shops.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const answers = await Promise.all(waiting);
    expect(shops.calls).toHaveLength(2);
    expect(answers[0]).toBe("installed");
    expect(new Set(answers.slice(1))).toEqual(new Set(["unknown"]));
    registry.stop();
  });

  it("rechecks a held standing that is not enough (an uninstalled shop installed again elsewhere)", async () => {
    const shops = table([row("back.myshopify.com", false)]);
    const registry = new ShopRegistry(shops.source, { minRefreshMs: 0 });
    expect(await registry.standing("back.myshopify.com")).toBe("uninstalled");
    shops.set([row("back.myshopify.com", true, "2026-02-01T00:00:00Z")]);
    expect(registry.standing("back.myshopify.com", (s) => s === "uninstalled")).toBe("uninstalled");
    expect(await registry.standing("back.myshopify.com", (s) => s === "installed")).toBe("installed");
    registry.stop();
  });

  it("reads only rows changed since the newest it saw (less an overlap), and every row when a full refresh is due", async () => {
    let now = Date.parse("2026-03-01T00:00:00Z");
    const shops = table([
      row("a.myshopify.com", true, "2026-02-01T00:00:00Z"),
      row("b.myshopify.com", true, "2026-02-10T00:00:00Z"),
    ]);
    const registry = new ShopRegistry(shops.source, {
      minRefreshMs: 0,
      overlapMs: 60_000,
      fullEveryMs: 3_600_000,
      now: () => now,
    });
    await registry.refresh();
    now += 60_000;
    // b deleted (shop/redact), a uninstalled: the incremental refresh sees a, not b's deletion.
    shops.set([row("a.myshopify.com", false, "2026-03-01T00:00:30Z")]);
    await registry.refresh();
    expect(shops.calls).toEqual([null, "2026-02-09T23:59:00.000Z"]);
    expect(registry.standing("a.myshopify.com")).toBe("uninstalled");
    expect(registry.standing("b.myshopify.com")).toBe("installed");
    now += 3_600_000;
    await registry.refresh();
    expect(shops.calls[2]).toBeNull();
    expect(await registry.standing("b.myshopify.com")).toBe("unknown");
    registry.stop();
  });

  it("keeps what this process noted while a load that read before it was in flight", async () => {
    const shops = table([row("a.myshopify.com", true)]);
    const registry = new ShopRegistry(shops.source, { minRefreshMs: 0 });
    const release = shops.hold();
    const loading = registry.refresh();
    while (shops.calls.length === 0) await Promise.resolve(); // the load has read the table
    registry.note("a.myshopify.com", false); // app/uninstalled applied here meanwhile
    registry.note("c.myshopify.com", true); // installed through OAuth here meanwhile
    release();
    await loading;
    expect(registry.standing("a.myshopify.com")).toBe("uninstalled");
    expect(registry.standing("c.myshopify.com")).toBe("installed");
    registry.stop();
  });

  it("lets a miss fail when the table cannot be read, and recovers on the next refresh", async () => {
    let fail = true;
    const registry = new ShopRegistry(
      async () => {
        if (fail) throw new Error("database down");
        return [row("a.myshopify.com", true)];
      },
      { minRefreshMs: 0 },
    );
    await expect(registry.standing("a.myshopify.com")).rejects.toThrow("database down");
    fail = false;
    expect(await registry.standing("a.myshopify.com")).toBe("installed");
    registry.stop();
  });
});

describe("what a standing lets a shop send", () => {
  it.each<[Standing, string, boolean]>([
    ["installed", "orders/create", true],
    ["installed", "shop/redact", true],
    ["uninstalled", "orders/create", false],
    ["uninstalled", "customers/update", false],
    ["uninstalled", "app/scopes_update", false],
    ["uninstalled", "app/uninstalled", true],
    ["uninstalled", "customers/data_request", true],
    ["uninstalled", "customers/redact", true],
    ["uninstalled", "shop/redact", true],
    ["unknown", "shop/redact", false],
    ["unknown", "app/uninstalled", false],
    ["unknown", "orders/create", false],
  ])("%s shop, %s: %s", (standing, topic, expected) => {
    expect(accepts(standing, topic)).toBe(expected);
  });

  it.each<[string, unknown, string | null | undefined]>([
    ["shop/redact", { shop_id: 1, shop_domain: "a.myshopify.com" }, "a.myshopify.com"],
    ["customers/redact", { shop_domain: "b.myshopify.com", customer: { id: 1 } }, "b.myshopify.com"],
    ["customers/data_request", { shop_id: 1 }, null],
    ["shop/redact", { shop_domain: 42 }, null],
    ["shop/redact", null, null],
    ["app/uninstalled", { domain: "shop.example", myshopify_domain: "a.myshopify.com" }, "a.myshopify.com"],
    ["app/uninstalled", { domain: "shop.example" }, undefined],
    ["app/uninstalled", { myshopify_domain: null }, null],
    ["orders/create", { shop_domain: "a.myshopify.com" }, undefined],
  ])("the %s body %j names %s", (topic, body, expected) => {
    expect(shopNamedInBody(topic, body)).toBe(expected);
  });
});
