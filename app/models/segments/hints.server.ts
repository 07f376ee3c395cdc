// "Matches nobody" hints for the editor's preview: when a valid query counts no one, why, if we can
// tell. A value the rule needs that the shop does not have ("No product type 'Coffee' in your shop; did
// you mean 'Coffee Beans'?", from the shop's vocabulary) and ranges that hold no value (the pure
// findings of app/domain/segments/hints.ts), each with where it is in the text.
import type { Executor } from "~/db/database.server";
import { localDate } from "~/domain/calendar";
import type { EngineContext } from "~/domain/segments/engine";
import { emptyRanges, locate, vocabularyLiterals, type NameRef, type ValueLiteral } from "~/domain/segments/hints";
import { parse } from "~/domain/segments/query-language";
import { VOCABULARY_NOUNS, type VocabularyCheck } from "~/domain/segments/vocabulary";
import { checkValue } from "./vocabulary.server";

export type QueryHint = { message: string; line: number; col: number };

/** Values checked per preview: enough for any query a merchant writes, bounded for one that is not. */
const MAX_CHECKED = 10;

function missing(literal: ValueLiteral, check: VocabularyCheck): string | undefined {
  if (check.found) return undefined;
  const { kind, value } = literal;
  if (kind === "product") return `No product with ID ${value} in your shop.`;
  if (kind === "collection") return `No collection with ID ${value} has been viewed in your shop.`;
  const near = check.didYouMean;
  const suggestion = near
    ? `; did you mean '${near.value}'${near.label !== near.value ? ` (${near.label})` : ""}?`
    : ".";
  return `No ${VOCABULARY_NOUNS[kind]} '${value}' in your shop${suggestion}`;
}

/** Why `query` (valid, and counted 0 for the shop) matches nobody, as far as we can tell; [] if we cannot. */
export async function matchesNobodyHints(
  db: Executor,
  { shop, query, ctx }: { shop: string; query: string; ctx: EngineContext },
): Promise<QueryHint[]> {
  const parsed = parse(query);
  if (!parsed.ok) return [];
  const at = (ref: NameRef) => {
    const { line, col } = locate(query, ref);
    return { line, col };
  };
  const hints: QueryHint[] = [];
  const checked = new Set<string>();
  for (const literal of vocabularyLiterals(parsed.rule)) {
    const key = `${literal.kind}\u0000${literal.value}`;
    if (checked.has(key)) continue;
    if (checked.size >= MAX_CHECKED) break;
    checked.add(key);
    const message = missing(literal, await checkValue(db, { shop, kind: literal.kind, value: literal.value }));
    if (message) hints.push({ message, ...at(literal.at) });
  }
  for (const problem of emptyRanges(parsed.rule, localDate(ctx.now, ctx.timeZone)))
    hints.push({ message: problem.message, ...at(problem.at) });
  return hints.sort((a, b) => a.line - b.line || a.col - b.col);
}
