// The parser's errors: where they are (line, column and offset, as the editor counts them), how a
// name the merchant mistyped is answered ("did you mean"), and how an error is shown under its line.
import { suggest } from "../attributes";

export interface ParseError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like the editor's selection API. */
  column: number;
  /** 0-based offset into the text; `offset + length <= text.length`. */
  offset: number;
  length: number;
  message: string;
}

/** An error as the lexer and parser record it: an offset only, turned into a ParseError by `positioned`. */
export interface RawError {
  offset: number;
  length: number;
  message: string;
}

/** Thrown inside the parser only, to unwind after a syntax error has been recorded. */
export class Abort {}

/** Source text quoted in a message, cut short. */
export function shown(text: string): string {
  return text.length > 24 ? `${text.slice(0, 21)}...` : text;
}

/** " (did you mean 'amount_spent'?)" when a known name is close to `name`, otherwise "". */
export function didYouMean(name: string, known: Iterable<string>): string {
  const hint = suggest(name, known);
  return hint ? ` (did you mean '${hint}'?)` : "";
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function locate(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

/** "line 1, col 4" for an offset into `text`, for messages that point back at an earlier token. */
export function whereIn(text: string): (offset: number) => string {
  const starts = lineStarts(text);
  return (offset) => {
    const { line, column } = locate(starts, offset);
    return `line ${line}, col ${column}`;
  };
}

/** Raw errors in source order, clamped to the text, with their line and column. */
export function positioned(text: string, raw: RawError[]): ParseError[] {
  const starts = lineStarts(text);
  return [...raw]
    .sort((a, b) => a.offset - b.offset)
    .map((e) => {
      const offset = Math.max(0, Math.min(e.offset, text.length));
      const length = Math.max(0, Math.min(e.length, text.length - offset));
      return { ...locate(starts, offset), offset, length, message: e.message };
    });
}

/** "line 1, col 18: expected a number after '>'" */
export function describeError(error: ParseError): string {
  return `line ${error.line}, col ${error.column}: ${error.message}`;
}

/**
 * The message, the offending source line, and a caret under the problem, for a monospace box in
 * the editor:
 *
 *     line 1, col 16: expected a number after '>'
 *     amount_spent > 'lots'
 *                    ^^^^^^
 */
export function formatError(text: string, error: ParseError): string {
  const lines = text.split("\n");
  const source = (lines[error.line - 1] ?? "").replace(/\r$/, "");
  const start = Math.max(0, Math.min(error.column - 1, source.length));
  // Keep tabs so the caret lines up under them in the editor's monospace font.
  const pad = source.slice(0, start).replace(/[^\t]/g, " ");
  const width = Math.max(1, Math.min(error.length, source.length - start));
  return `${describeError(error)}\n${source}\n${pad}${"^".repeat(width)}`;
}
