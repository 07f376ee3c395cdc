import { describe, expect, it } from "vitest";
import { keyedRuns } from "./keyed-runs";

/** A piece of work that runs until released, counting its runs. */
function gate() {
  let runs = 0;
  let release: () => void = () => undefined;
  const work = () => {
    runs += 1;
    return new Promise<void>((resolve) => (release = resolve));
  };
  return { work, runs: () => runs, release: () => release() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("keyed background runs", () => {
  it("once: a kick while its key runs joins that run", async () => {
    const { once } = keyedRuns(() => undefined);
    const a = gate();
    const first = once("shop-1", a.work);
    const second = once("shop-1", a.work);
    expect(a.runs()).toBe(1);
    a.release();
    await Promise.all([first, second]);
    expect(a.runs()).toBe(1);
    // Over: the next kick runs again.
    void once("shop-1", a.work);
    expect(a.runs()).toBe(2);
    a.release();
  });

  it("coalesced: kicks during a run cost one more run after it, never more, and keys do not wait for each other", async () => {
    const { coalesced } = keyedRuns(() => undefined);
    const a = gate();
    const b = gate();
    coalesced("product-tags:a", a.work);
    coalesced("product-tags:b", b.work);
    expect([a.runs(), b.runs()]).toEqual([1, 1]);
    for (let i = 0; i < 5; i++) coalesced("product-tags:a", a.work);
    expect(a.runs()).toBe(1);
    a.release();
    await turn();
    expect(a.runs()).toBe(2); // the kicks made during the first run are not lost
    a.release();
    await turn();
    expect(a.runs()).toBe(2); // and cost one run, not five
    b.release();
    await turn();
    expect(b.runs()).toBe(1);
  });

  it("reports a run that throws, and counts it as finished", async () => {
    const errors: unknown[] = [];
    const { once, coalesced } = keyedRuns((error) => errors.push(error));
    await once("k", () => Promise.reject(new Error("boom")));
    expect(errors.map(String)).toEqual(["Error: boom"]);
    let ran = 0;
    coalesced("k", async () => {
      ran += 1;
    });
    await turn();
    expect(ran).toBe(1);
  });
});
