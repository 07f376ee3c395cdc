// Autocomplete for the query editor: what can come at the caret, and which part of the text a choice
// replaces. Pure and forgiving: it reads half-typed text (an unclosed string, a name cut short) with a
// loose scan of its own, walks the grammar as far as the caret, and answers with the attributes,
// functions, operators, values, parameter names or joiners that fit there. The shop's own values
// (product types, tags, ...) are not known here: the answer names their vocabulary kind, and the
// editor asks /app/segment-values for them.
import {
  argOperators,
  ATTRIBUTES,
  FUNCTIONS,
  OPERATORS_BY_TYPE,
  getAttribute,
  getFunction,
  getParam,
  type AttributeDef,
} from "../attributes";
import { vocabularyKindOfAttribute, vocabularyKindOfParam, type VocabularyKind } from "../vocabulary";
import { quote } from "./printer";

export type CompletionKind = "attribute" | "function" | "operator" | "keyword" | "value" | "parameter" | "punctuation";

export interface Completion {
  /** What the list shows. */
  label: string;
  /** What replaces `from..to`. */
  insert: string;
  kind: CompletionKind;
  /** A plain description (the attribute's, the parameter's) or the type. */
  detail?: string;
}

export interface CompletionResult {
  /** The text `from..to` is what a choice replaces: the word or string the caret is in, else nothing. */
  from: number;
  to: number;
  /** What has been typed of it before the caret (a string's content without its quote). */
  typed: string;
  items: Completion[];
  /** A value of this kind goes here: the editor asks the shop for its own values matching `typed`. */
  vocabulary?: { kind: VocabularyKind; owner: string };
}

// ---------------------------------------------------------------------------------------------
// A loose scan: never fails, keeps an unclosed string as one token to the end of the text.

type Loose = { t: "word" | "string" | "value" | "punct"; text: string; start: number; end: number; closed?: boolean };

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_.]/;
const PUNCT2 = new Set(["!=", ">=", "<="]);
const PUNCT1 = new Set(["(", ")", ",", ":", "=", ">", "<"]);

function scan(text: string): Loose[] {
  const out: Loose[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (WORD_START.test(c)) {
      while (i < text.length && WORD_PART.test(text[i] as string)) i++;
      out.push({ t: "word", text: text.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c) || ((c === "-" || c === "+") && /[0-9]/.test(text[i + 1] ?? ""))) {
      i++;
      while (i < text.length && /[0-9A-Za-z.-]/.test(text[i] as string)) i++;
      out.push({ t: "value", text: text.slice(start, i), start, end: i });
    } else if (c === "'") {
      i++;
      let closed = false;
      while (i < text.length) {
        if (text[i] === "\\") i += 2;
        else if (text[i] === "'") {
          closed = true;
          i++;
          break;
        } else i++;
      }
      i = Math.min(i, text.length);
      out.push({ t: "string", text: text.slice(start, i), start, end: i, closed });
    } else if (PUNCT2.has(text.slice(i, i + 2))) {
      i += 2;
      out.push({ t: "punct", text: text.slice(start, i), start, end: i });
    } else {
      i++;
      if (PUNCT1.has(c)) out.push({ t: "punct", text: c, start, end: i });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Where in the grammar the caret is.

type Owner = { attr: string } | { fn: string; param: string };
type Call = { fn: string; used: Set<string>; legacy: boolean };

type State =
  | { at: "condition" }
  | { at: "operator"; attr: string }
  | { at: "is"; negated: boolean }
  | { at: "not-contains"; attr: string }
  | { at: "value"; owner: Owner; op: string; then: "joiner" | "between" | "arg-next" | "list-next" }
  | { at: "between-and"; owner: Owner; then: "joiner" | "arg-next" }
  | { at: "joiner" }
  | { at: "call"; fn: string }
  | { at: "call-not"; fn: string }
  | { at: "call-open"; fn: string }
  | { at: "param" }
  | { at: "arg-operator"; param: string }
  | { at: "list-open"; param: string }
  | { at: "arg-next" }
  | { at: "list-next"; param: string }
  | { at: "legacy-eq" }
  | { at: "legacy-bool" }
  | { at: "lost" };

const COMPARISON = new Set(["=", "!=", ">", ">=", "<", "<="]);

/** Walks the complete tokens before the caret; `depth` counts open parentheses around conditions. */
function walk(tokens: Loose[]): { state: State; depth: number; call: Call | null } {
  let state: State = { at: "condition" };
  let depth = 0;
  let call: Call | null = null;
  for (const tok of tokens) {
    const word = tok.t === "word" ? tok.text.toUpperCase() : "";
    switch (state.at) {
      case "condition":
        if (word === "NOT") state = { at: "condition" };
        else if (tok.t === "punct" && tok.text === "(") depth++;
        else if (tok.t === "word" && getFunction(tok.text.toLowerCase()))
          state = { at: "call", fn: tok.text.toLowerCase() };
        else if (tok.t === "word") state = { at: "operator", attr: tok.text.toLowerCase() };
        else state = { at: "lost" };
        break;
      case "operator": {
        const attr: string = state.attr;
        if (tok.t === "punct" && COMPARISON.has(tok.text))
          state = { at: "value", owner: { attr }, op: tok.text, then: "joiner" };
        else if (word === "CONTAINS") state = { at: "value", owner: { attr }, op: "CONTAINS", then: "joiner" };
        else if (word === "BETWEEN") state = { at: "value", owner: { attr }, op: "BETWEEN", then: "between" };
        else if (word === "IS") state = { at: "is", negated: false };
        else if (word === "NOT") state = { at: "not-contains", attr };
        else state = { at: "lost" };
        break;
      }
      case "not-contains":
        state =
          word === "CONTAINS"
            ? { at: "value", owner: { attr: state.attr }, op: "NOT CONTAINS", then: "joiner" }
            : { at: "lost" };
        break;
      case "is":
        if (word === "NOT" && !state.negated) state = { at: "is", negated: true };
        else if (word === "NULL") state = { at: "joiner" };
        else state = { at: "lost" };
        break;
      case "value":
        if (tok.t === "punct") state = { at: "lost" };
        else if (state.then === "between")
          state = { at: "between-and", owner: state.owner, then: call ? "arg-next" : "joiner" };
        else if (state.then === "list-next")
          state = { at: "list-next", param: "param" in state.owner ? state.owner.param : "" };
        else state = { at: state.then };
        break;
      case "between-and":
        state = word === "AND" ? { at: "value", owner: state.owner, op: "BETWEEN", then: state.then } : { at: "lost" };
        break;
      case "joiner":
        if (word === "AND" || word === "OR") state = { at: "condition" };
        else if (tok.t === "punct" && tok.text === ")" && depth > 0) depth--;
        else state = { at: "lost" };
        break;
      case "call":
        if (word === "MATCHES") state = { at: "call-open", fn: state.fn };
        else if (word === "NOT") state = { at: "call-not", fn: state.fn };
        else if (tok.t === "punct" && tok.text === "(") {
          call = { fn: state.fn, used: new Set(), legacy: true };
          state = { at: "param" };
        } else state = { at: "lost" };
        break;
      case "call-not":
        state = word === "MATCHES" ? { at: "call-open", fn: state.fn } : { at: "lost" };
        break;
      case "call-open":
        if (tok.t === "punct" && tok.text === "(") {
          call = { fn: state.fn, used: new Set(), legacy: false };
          state = { at: "param" };
        } else state = { at: "lost" };
        break;
      case "param":
        if (tok.t === "word" && call) {
          call.used.add(tok.text.toLowerCase());
          state = { at: "arg-operator", param: tok.text.toLowerCase() };
        } else if (tok.t === "punct" && tok.text === ")" && call) {
          state = call.legacy ? { at: "legacy-eq" } : { at: "joiner" };
          call = null;
        } else state = { at: "lost" };
        break;
      case "arg-operator": {
        const owner: Owner = { fn: call?.fn ?? "", param: state.param };
        if (call?.legacy && tok.t === "punct" && tok.text === ":")
          state = { at: "value", owner, op: ":", then: "arg-next" };
        else if (tok.t === "punct" && COMPARISON.has(tok.text))
          state = { at: "value", owner, op: tok.text, then: "arg-next" };
        else if (word === "BETWEEN") state = { at: "value", owner, op: "BETWEEN", then: "between" };
        else if (word === "IN") state = { at: "list-open", param: state.param };
        else if (word === "NOT") state = { at: "arg-operator", param: state.param };
        else state = { at: "lost" };
        break;
      }
      case "list-open":
        state =
          tok.t === "punct" && tok.text === "("
            ? { at: "value", owner: { fn: call?.fn ?? "", param: state.param }, op: "IN", then: "list-next" }
            : { at: "lost" };
        break;
      case "list-next":
        if (tok.t === "punct" && tok.text === ",")
          state = { at: "value", owner: { fn: call?.fn ?? "", param: state.param }, op: "IN", then: "list-next" };
        else if (tok.t === "punct" && tok.text === ")") state = { at: "arg-next" };
        else state = { at: "lost" };
        break;
      case "arg-next":
        if (tok.t === "punct" && tok.text === ",") state = { at: "param" };
        else if (tok.t === "punct" && tok.text === ")" && call) {
          state = call.legacy ? { at: "legacy-eq" } : { at: "joiner" };
          call = null;
        } else state = { at: "lost" };
        break;
      case "legacy-eq":
        state = tok.t === "punct" && (tok.text === "=" || tok.text === "!=") ? { at: "legacy-bool" } : { at: "lost" };
        break;
      case "legacy-bool":
        state = word === "TRUE" || word === "FALSE" ? { at: "joiner" } : { at: "lost" };
        break;
    }
    if (state.at === "lost") break;
  }
  return { state, depth, call };
}

// ---------------------------------------------------------------------------------------------
// What fits there.

const kw = (word: string, detail?: string): Completion => ({
  label: word,
  insert: `${word} `,
  kind: "keyword",
  detail,
});

/** Sample dates a merchant can start from: every date takes these. */
const DATE_SAMPLES: Completion[] = [
  { label: "-30d", insert: "-30d", kind: "value", detail: "30 days ago" },
  { label: "-90d", insert: "-90d", kind: "value", detail: "90 days ago" },
  { label: "-6m", insert: "-6m", kind: "value", detail: "6 months ago" },
  { label: "-1y", insert: "-1y", kind: "value", detail: "a year ago" },
  { label: "today", insert: "today", kind: "value", detail: "the start of today" },
];

function attributeItems(): Completion[] {
  return Object.entries(ATTRIBUTES as Record<string, AttributeDef>)
    .filter(([, def]) => def.available)
    .map(([name, def]) => ({ label: name, insert: `${name} `, kind: "attribute" as const, detail: def.description }));
}

function functionItems(): Completion[] {
  return Object.entries(FUNCTIONS).map(([name, def]) => ({
    label: name,
    insert: `${name} MATCHES (`,
    kind: "function" as const,
    detail: def.description,
  }));
}

function operatorItems(operators: readonly string[]): Completion[] {
  return operators.map((op) => ({ label: op, insert: `${op} `, kind: "operator" as const }));
}

function valueItems(owner: Owner): { items: Completion[]; vocabulary?: CompletionResult["vocabulary"] } {
  if ("attr" in owner) {
    const def = getAttribute(owner.attr);
    if (!def) return { items: [] };
    const kind = vocabularyKindOfAttribute(owner.attr);
    if (kind) return { items: [], vocabulary: { kind, owner: owner.attr } };
    if (def.type === "enum")
      return { items: (def.enumValues ?? []).map((v) => ({ label: v, insert: quote(v), kind: "value" as const })) };
    if (def.type === "date") return { items: DATE_SAMPLES };
    if (def.type === "boolean")
      return { items: ["true", "false"].map((v) => ({ label: v, insert: v, kind: "value" as const })) };
    return { items: [] };
  }
  const fn = getFunction(owner.fn);
  const param = fn ? getParam(fn, owner.param) : undefined;
  if (!param) return { items: [] };
  const kind = vocabularyKindOfParam(owner.fn, owner.param);
  if (kind) return { items: [], vocabulary: { kind, owner: owner.param } };
  if (param.type === "date") return { items: DATE_SAMPLES };
  return { items: [] };
}

function candidates(state: State, depth: number, call: Call | null): Pick<CompletionResult, "items" | "vocabulary"> {
  switch (state.at) {
    case "condition":
      return { items: [...attributeItems(), ...functionItems(), kw("NOT", "customers who do not match what follows")] };
    case "operator": {
      const def = getAttribute(state.attr);
      if (!def) return { items: [] };
      return { items: operatorItems(OPERATORS_BY_TYPE[def.type]) };
    }
    case "is":
      return { items: state.negated ? [kw("NULL")] : [kw("NULL"), kw("NOT NULL")] };
    case "not-contains":
      return { items: [kw("CONTAINS")] };
    case "value":
      return valueItems(state.owner);
    case "between-and":
      return { items: [kw("AND", "the end of the range")] };
    case "joiner": {
      const items = [kw("AND", "both must hold"), kw("OR", "either may hold")];
      if (depth > 0) items.push({ label: ")", insert: ") ", kind: "punctuation" });
      return { items };
    }
    case "call":
      return {
        items: [
          { label: "MATCHES", insert: "MATCHES (", kind: "keyword", detail: "customers with a matching one" },
          { label: "NOT MATCHES", insert: "NOT MATCHES (", kind: "keyword", detail: "customers with none" },
        ],
      };
    case "call-not":
      return { items: [{ label: "MATCHES", insert: "MATCHES (", kind: "keyword" }] };
    case "call-open":
      return { items: [{ label: "(", insert: "(", kind: "punctuation" }] };
    case "param": {
      const fn = call ? getFunction(call.fn) : undefined;
      if (!fn || !call) return { items: [] };
      return {
        items: Object.entries(fn.params)
          .filter(([name]) => !call.used.has(name))
          .map(([name, def]) => ({
            label: name,
            insert: call.legacy ? `${name}: ` : `${name} `,
            kind: "parameter" as const,
            detail: def.description,
          })),
      };
    }
    case "arg-operator": {
      const fn = call ? getFunction(call.fn) : undefined;
      const param = fn ? getParam(fn, state.param) : undefined;
      if (!param || !call) return { items: [] };
      if (call.legacy) return { items: [{ label: ":", insert: ": ", kind: "punctuation" }] };
      return { items: operatorItems(argOperators(param)) };
    }
    case "list-open":
      return { items: [{ label: "(", insert: "(", kind: "punctuation" }] };
    case "list-next":
    case "arg-next":
      return {
        items: [
          { label: ",", insert: ", ", kind: "punctuation", detail: "another filter" },
          { label: ")", insert: ") ", kind: "punctuation", detail: "end of the filters" },
        ],
      };
    case "legacy-eq":
      return {
        items: [
          { label: "= true", insert: "= true ", kind: "keyword" },
          { label: "= false", insert: "= false ", kind: "keyword" },
        ],
      };
    case "legacy-bool":
      return { items: [kw("true"), kw("false")] };
    case "lost":
      return { items: [] };
  }
}

/** Items whose label starts with what was typed, then those containing it (ignoring case). */
export function filterCompletions(items: readonly Completion[], typed: string): Completion[] {
  const needle = typed.trim().toLowerCase();
  if (needle === "") return [...items];
  const starts = items.filter((i) => i.label.toLowerCase().startsWith(needle));
  const contains = items.filter(
    (i) => !i.label.toLowerCase().startsWith(needle) && i.label.toLowerCase().includes(needle),
  );
  return [...starts, ...contains];
}

/** What can come at `caret` in `text`, and the range a choice replaces. */
export function completionsAt(text: string, caret: number): CompletionResult {
  const at = Math.max(0, Math.min(caret, text.length));
  const tokens = scan(text);
  // The token the caret is in or at the end of: a word, a number or date, or a string.
  const current = tokens.find(
    (t) => t.start < at && (t.t === "string" ? !t.closed || at < t.end : t.t !== "punct" && at <= t.end),
  );
  const before = tokens.filter((t) => t.end <= (current ? current.start : at));
  const { state, depth, call } = walk(before);
  const found = candidates(state, depth, call);
  if (!current) return { from: at, to: at, typed: "", ...found };
  const typed =
    current.t === "string" ? text.slice(current.start + 1, at).replace(/\\(.)/g, "$1") : text.slice(current.start, at);
  // An unclosed string runs to the end of the text: replace only what is before the caret.
  const to = current.t === "string" && !current.closed ? at : current.end;
  return { from: current.start, to, typed, items: filterCompletions(found.items, typed), vocabulary: found.vocabulary };
}

/** The text once `item` replaces `from..to`, and where the caret goes (after it, no doubled space). */
export function applyCompletion(
  text: string,
  range: Pick<CompletionResult, "from" | "to">,
  insert: string,
): { text: string; caret: number } {
  const after = text.slice(range.to);
  const piece = insert.endsWith(" ") && /^\s/.test(after) ? insert.slice(0, -1) : insert;
  const next = text.slice(0, range.from) + piece + after;
  const caret = range.from + piece.length + (piece !== insert ? 1 : 0);
  return { text: next, caret };
}
