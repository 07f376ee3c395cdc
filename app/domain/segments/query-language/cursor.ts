// The state of one parse: the tokens and where we are in them, the errors recorded so far, and the
// counts held to the caps of limits.ts. The grammar (parser.ts, calls.ts, values.ts) is written as
// functions of a cursor; only the cursor moves, and nothing backtracks.
import { MAX_DEPTH } from "../rule";
import { Abort, shown, type RawError } from "./errors";
import type { Punct, Token } from "./lexer";

export const KEYWORDS = new Set([
  "AND",
  "OR",
  "NOT",
  "BETWEEN",
  "IS",
  "NULL",
  "CONTAINS",
  "MATCHES",
  "IN",
  "TRUE",
  "FALSE",
]);
export const COMPARISONS = new Set<string>(["=", "!=", ">", ">=", "<", "<="]);

const MAX_ERRORS = 20;

export class Cursor {
  private pos = 0;
  private depth = 0;
  /** Against the caps of limits.ts, counted as the rule is read so that an oversized one stops early. */
  conditions = 0;
  functionCalls = 0;
  listItems = 0;
  readonly errors: RawError[] = [];

  constructor(
    private readonly tokens: Token[],
    /** "line 1, col 4", for messages that point back at an earlier token. */
    readonly where: (offset: number) => string,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const tok = this.peek();
    if (tok.t !== "eof") this.pos++;
    return tok;
  }

  prev(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  isKw(tok: Token, kw: string): boolean {
    return tok.t === "ident" && tok.text.toUpperCase() === kw;
  }

  isPunct(tok: Token, p: Punct): boolean {
    return tok.t === "punct" && tok.text === p;
  }

  report(offset: number, length: number, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ offset, length, message });
  }

  reportAt(tok: Token, message: string): void {
    this.report(tok.offset, tok.length, message);
  }

  /** Records the error and unwinds the parse (to `parse`, which catches the Abort). */
  fail(tok: Token, message: string): never {
    this.reportAt(tok, message);
    throw new Abort();
  }

  after(): string {
    const p = this.prev();
    return p ? ` after '${shown(p.text)}'` : "";
  }

  /** One level deeper (a parenthesis or a NOT), bounded by MAX_DEPTH. */
  enter(tok: Token): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) this.fail(tok, `nesting is deeper than ${MAX_DEPTH} levels`);
  }

  leave(): void {
    this.depth--;
  }
}
