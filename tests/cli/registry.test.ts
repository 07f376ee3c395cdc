// The command registry: every command is listed in the help, takes --json, and refuses an option that
// is not its own before touching any database.
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "~/cli/commands";
import { run, UsageError, USAGE } from "~/cli/main";
import { ROOT } from "../helpers/env";

describe("the CLI registry", () => {
  it("lists every command once, in the help", () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const command of COMMANDS) expect(USAGE).toContain(`  ${command.name}`);
  });

  it.each(COMMANDS.map((c) => c.name))("%s refuses an option it does not have, naming itself", async (name) => {
    // A database path that cannot exist: the refusal must come before the database is opened.
    const env = { ...process.env, DATABASE_URL: "file:/nonexistent/dir/never.sqlite" };
    const attempt = run([name, "--no-such-option", "x"], env, ROOT);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(new RegExp(`^${name}: `));
  });

  it("answers an unknown command with the usage", async () => {
    await expect(run(["no-such-command"], process.env, ROOT)).rejects.toThrow(/unknown command "no-such-command"/);
  });

  it("prints the usage for help", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await run(["help"], process.env, ROOT)).toBe(0);
      expect(log).toHaveBeenCalledWith(USAGE);
    } finally {
      log.mockRestore();
    }
  });
});
