// `models fit-bgnbd` and `models fit-gg` on summary CSVs: the CDNOW summaries give the published
// parameters, a bad line is named, and no database is opened (the URL given cannot exist).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandError, UsageError } from "~/cli/main";
import { cli, cliJson } from "../helpers/cli";
import { CDNOW_DIR } from "../helpers/env";

const NO_DATABASE = "file:/nonexistent/dir/never.sqlite";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "models-fit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

type BgNbd = { r: number; alpha: number; a: number; b: number; ll: number; n: number };
type Gg = { p: number; q: number; gamma: number; ll: number; n: number };

describe("models fit-bgnbd / fit-gg", () => {
  it("fits CDNOW's summary (frequency,recency,T) to the published BG/NBD parameters", async () => {
    const summary = path.join(CDNOW_DIR, "cdnow_customers_summary.csv");
    const fit = await cliJson<BgNbd>(NO_DATABASE, "models", "fit-bgnbd", "--summary", summary);
    expect(fit.r).toBeCloseTo(0.2426, 3);
    expect(fit.alpha).toBeCloseTo(4.4135, 2);
    expect(fit.a).toBeCloseTo(0.7929, 3);
    expect(fit.b).toBeCloseTo(2.4258, 2);
    expect(fit.ll).toBeCloseTo(-9582.43, 1);
    expect(fit.n).toBe(2357);
  });

  it("fits the x,t_x,T,zbar file with both commands", async () => {
    const summary = path.join(CDNOW_DIR, "cdnow_customers_summary_with_transactions.csv");
    const bg = await cliJson<BgNbd>(NO_DATABASE, "models", "fit-bgnbd", "--summary", summary);
    expect(bg.r).toBeCloseTo(0.2426, 3);
    const gg = await cliJson<Gg>(NO_DATABASE, "models", "fit-gg", "--summary", summary);
    expect(Math.abs(gg.p / 6.25 - 1)).toBeLessThan(0.01);
    expect(Math.abs(gg.q / 3.74 - 1)).toBeLessThan(0.01);
    expect(Math.abs(gg.gamma / 15.44 - 1)).toBeLessThan(0.01);
    expect(gg.n).toBe(946);
    expect(Number.isFinite(gg.ll)).toBe(true);
  });

  it("accepts frequency,monetary_value with other columns in any order, and prints text without --json", async () => {
    const lines = ["monetary_value,id,frequency"];
    for (let i = 0; i < 30; i++) lines.push(`${10 + (i % 7) * 3.5},${i},${1 + (i % 4)}`);
    lines.push("0,99,0");
    const file = csv("gg.csv", lines.join("\n") + "\n");
    const fit = await cliJson<Gg>(NO_DATABASE, "models", "fit-gg", "--summary", file);
    expect(fit.n).toBe(30);
    const text = await cli(NO_DATABASE, "models", "fit-gg", "--summary", file);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Gamma-Gamma on 30 repeat buyers: p /);
  });

  it.each([
    ["missing column", "frequency,T\n1,5\n", /line 1: the header needs columns frequency,recency,T; missing recency/],
    ["short line", "frequency,recency,T\n1,2,5\n1,2\n", /line 3: expected 3 fields/],
    ["not a number", "frequency,recency,T\n1,2,5\n1,abc,5\n", /line 3: recency is not a number: "abc"/],
    ["recency above T", "frequency,recency,T\n\n1,2,5\n2,7,5\n", /line 4: recency must be between 0 and T/],
    ["empty file", "", /line 1: the file is empty/],
  ])("names the line of a bad CSV: %s", async (_, text, message) => {
    const file = csv("bad.csv", text);
    const attempt = cli(NO_DATABASE, "models", "fit-bgnbd", "--summary", file, "--json");
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it("a bad spend line is named too", async () => {
    const file = csv("bad-gg.csv", "x,zbar\n1,10\n2,-3\n");
    await expect(cli(NO_DATABASE, "models", "fit-gg", "--summary", file)).rejects.toThrow(
      /models fit-gg: line 3: mean value must be a number above 0/,
    );
  });

  it("says why data that cannot be fitted is not, and refuses a missing file or option", async () => {
    const file = csv("nobody.csv", "frequency,recency,T\n" + "0,0,30\n".repeat(40));
    await expect(cli(NO_DATABASE, "models", "fit-bgnbd", "--summary", file)).rejects.toThrow(CommandError);
    await expect(cli(NO_DATABASE, "models", "fit-bgnbd", "--summary", file)).rejects.toThrow(
      /nobody has bought a second time yet/,
    );
    await expect(cli(NO_DATABASE, "models", "fit-bgnbd", "--summary", path.join(dir, "nope.csv"))).rejects.toThrow(
      /cannot read .*nope\.csv: ENOENT/,
    );
    await expect(cli(NO_DATABASE, "models", "fit-bgnbd")).rejects.toThrow(/--summary <csv> is required/);
    await expect(cli(NO_DATABASE, "models", "fit-nothing")).rejects.toThrow(
      /expected fit, predict, backtest, settings, fit-bgnbd or fit-gg/,
    );
  });
});
