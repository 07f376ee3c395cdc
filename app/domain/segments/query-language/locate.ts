// Where a name is written in a query: the k-th time it appears (ignoring case), or the value written
// after it. For findings made on a parsed Rule, which has no positions (the "matches nobody" hints).
import { KEYWORDS } from "./cursor";
import { tokenize } from "./lexer";

/** The `occurrence`-th (0-based) time `name` is written in the query, ignoring case; `value` follows it. */
export type NameRef = { name: string; occurrence: number; value?: string };

/** Where a finding is in the text: the value after the name when it names one, else the name. 1-based. */
export function locateName(text: string, at: NameRef): { line: number; col: number; offset: number; length: number } {
  const lexed = tokenize(text);
  const tokens = "tokens" in lexed ? lexed.tokens : [];
  let seen = 0;
  let index = -1;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.t === "ident" && tok.text.toLowerCase() === at.name) {
      if (seen === at.occurrence) {
        index = i;
        break;
      }
      seen++;
    }
  }
  let found = index >= 0 ? tokens[index] : undefined;
  if (found && at.value !== undefined) {
    for (let i = index + 1; i < tokens.length; i++) {
      const tok = tokens[i]!;
      if ((tok.t === "string" || tok.t === "number") && tok.value === at.value) {
        found = tok;
        break;
      }
      // The next name: the value was not written after this one.
      if (tok.t === "ident" && !KEYWORDS.has(tok.text.toUpperCase())) break;
    }
  }
  const offset = found?.offset ?? 0;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - before.lastIndexOf("\n");
  return { line, col, offset, length: found?.length ?? 0 };
}
