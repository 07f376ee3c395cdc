import { vi } from "vitest";
import { run } from "~/cli/main";
import { ROOT } from "./env";

/** Runs the CLI in this process against DATABASE_URL=url and returns its exit code and stdout. */
export async function cli(url: string, ...argv: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    const code = await run(argv, { ...process.env, DATABASE_URL: url }, ROOT);
    return { code, stdout: lines.join("\n") };
  } finally {
    log.mockRestore();
  }
}

export async function cliJson<T = Record<string, unknown>>(url: string, ...argv: string[]): Promise<T> {
  const { code, stdout } = await cli(url, ...argv, "--json");
  if (code !== 0) throw new Error(`exit ${code}: ${stdout}`);
  return JSON.parse(stdout) as T;
}
