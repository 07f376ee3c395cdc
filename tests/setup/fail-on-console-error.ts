// A stray console.error is a bug we have not looked at: it fails the test that printed it.
import { afterEach, vi } from "vitest";

let errors: unknown[][] = [];

vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
  errors.push(args);
});

afterEach(() => {
  const printed = errors;
  errors = [];
  if (printed.length > 0) {
    throw new Error(`console.error was called:\n${printed.map((args) => args.map(String).join(" ")).join("\n")}`);
  }
});
