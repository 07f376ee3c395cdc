// Rooms stay small: no module of the app (tests aside) over 500 lines unless it says why at its top,
// in its first comment lines, with a line starting `// Over 500 lines because`. A long module is
// usually several jobs; the usual answer is to split it by job, as query-language/, engine/,
// builder/ and the demo generator were. The reason is for the rare module that is one job and reads
// best whole.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/env";

const MAX_LINES = 500;
const REASON = /^\/\/ Over 500 lines because \S/;

/** Lines as `wc -l` counts them. */
function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Whether the module's leading comment lines (before any code) state why it is long. */
function statesReason(text: string): boolean {
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith("//")) return false;
    if (REASON.test(trimmed)) return true;
  }
  return false;
}

/** "path: N lines" for each module over MAX_LINES without a stated reason. */
function oversized(modules: { path: string; text: string }[]): string[] {
  return modules
    .filter((m) => lineCount(m.text) > MAX_LINES && !statesReason(m.text))
    .map((m) => `${m.path}: ${lineCount(m.text)} lines`);
}

function appModules(dir: string, out: { path: string; text: string }[] = []): { path: string; text: string }[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) appModules(full, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
      out.push({ path: path.relative(ROOT, full), text: fs.readFileSync(full, "utf8") });
  }
  return out;
}

describe("module size under app/", () => {
  it(`has no module over ${MAX_LINES} lines without a reason at its top`, () => {
    const modules = appModules(path.join(ROOT, "app"));
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.map((m) => m.path)).toContain("app/domain/segments/query-language.ts");
    // Split it by job (a folder named after the module, the module keeping the public API), or write
    // `// Over 500 lines because …` in its opening comment.
    expect(oversized(modules)).toEqual([]);
  });

  it("counts lines like wc -l and reads the reason only from the opening comment", () => {
    const body = (n: number) => "const x = 1;\n".repeat(n);
    expect(lineCount("")).toBe(0);
    expect(lineCount("a")).toBe(1);
    expect(lineCount("a\nb\n")).toBe(2);
    expect(lineCount(body(500))).toBe(500);
    const reason = "// Over 500 lines because one state machine reads best whole.\n";
    expect(
      oversized([
        { path: "at-limit.ts", text: body(500) },
        { path: "over.ts", text: body(501) },
        { path: "over-with-reason.ts", text: `// The thing.\n//\n${reason}\n${body(520)}` },
        { path: "reason-after-code.ts", text: `${body(1)}${reason}${body(520)}` },
        { path: "reason-without-words.ts", text: `// Over 500 lines because\n${body(520)}` },
        { path: "block-comment.ts", text: `/* Over 500 lines because it is. */\n${body(520)}` },
      ]),
    ).toEqual([
      "over.ts: 501 lines",
      "reason-after-code.ts: 522 lines",
      "reason-without-words.ts: 521 lines",
      "block-comment.ts: 521 lines",
    ]);
  });
});
