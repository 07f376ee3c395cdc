// Shopify's customer segment query language (the WHERE clause of a ShopifyQL customer query):
// parse merchant text into a Rule, print a Rule back as canonical text.
//
// Hand-written rather than generated so that every error can say, in the merchant's terms, what
// was expected where. It runs on every keystroke in the editor, so: one pass over the text, no
// backtracking, bounded nesting, and it never throws.
//
// Functions are accepted in both of Shopify's spellings, `products_purchased(tag: 'x', date: -30d)
// = true` (API versions before 2026-10) and `products_purchased MATCHES (tag = 'x', date >= -30d)`
// (2026-10 onwards, and what the admin editor shows); both give the same tree. Canonical output is
// the MATCHES form because only it can say `quantity > 5`; `print(rule, { functions: "legacy" })`
// writes the older form wherever it can express the call.

//
// The parts, each one job (query-language/):
// - lexer.ts: text -> tokens with offsets; numbers, dates, relative dates and strings checked there.
// - cursor.ts: the state of one parse (position, errors, the caps of limits.ts, nesting depth).
// - parser.ts: `parse`, recursive descent over conditions, AND, OR, NOT and parentheses.
// - calls.ts: function calls in both spellings; values.ts: one value of an expected type, BETWEEN, IN.
// - printer.ts: `print`, canonical text; errors.ts: ParseError, "did you mean", the caret display.
// - completion.ts: what can come at the caret (the editor's autocomplete), from a loose scan of its own.
// - locate.ts: where the k-th occurrence of a name (or the value after it) is written.
// Importers use this module only.

export { MAX_QUERY_LENGTH } from "./limits";
export {
  applyCompletion,
  completionsAt,
  filterCompletions,
  type Completion,
  type CompletionKind,
  type CompletionResult,
} from "./query-language/completion";
export { describeError, formatError, type ParseError } from "./query-language/errors";
export { locateName, type NameRef } from "./query-language/locate";
export { parse, type ParseResult } from "./query-language/parser";
export { print, printScalar, quote, type PrintOptions } from "./query-language/printer";
