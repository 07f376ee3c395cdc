// GraphQL for the Shopify stand-in (fake-shopify.ts), no Shopify in it: a small parser, enough of the
// grammar for the documents a client sends (operations, variables, aliases, arguments, inline
// fragments and named fragments), with no validation against a schema; and the projection of an
// answer onto a selection set, so a client sees only the fields it selected.

export type Value =
  | { kind: "var"; name: string }
  | { kind: "const"; value: unknown }
  | { kind: "list"; items: Value[] }
  | { kind: "object"; fields: [string, Value][] };
export type Field = { kind: "field"; alias?: string; name: string; args: Map<string, Value>; selections?: Selection[] };
export type Selection =
  Field | { kind: "inline"; on?: string; selections: Selection[] } | { kind: "spread"; name: string };
export type Operation = {
  type: "query" | "mutation" | "subscription";
  name?: string;
  defaults: Map<string, Value>;
  selections: Selection[];
};
export type Doc = { operations: Operation[]; fragments: Map<string, { on: string; selections: Selection[] }> };

class GraphQLSyntaxError extends Error {}

type Token = { kind: "punct" | "name" | "number" | "string"; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "\ufeff") {
      i++;
    } else if (c === "#") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
    } else if (c === "." && source.startsWith("...", i)) {
      tokens.push({ kind: "punct", value: "..." });
      i += 3;
    } else if ("{}()[]:=@$!|&".includes(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      tokens.push({ kind: "name", value: source.slice(start, i) });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!m) throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
      tokens.push({ kind: "number", value: m[0] });
      i += m[0].length;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end === -1) throw new GraphQLSyntaxError("unterminated block string");
        tokens.push({ kind: "string", value: blockString(source.slice(i + 3, end).replace(/\\"""/g, '"""')) });
        i = end + 3;
      } else {
        let j = i + 1;
        let raw = "";
        while (j < n && source[j] !== '"') {
          if (source[j] === "\\") {
            raw += source.slice(j, j + 2);
            j += 2;
          } else {
            if (source[j] === "\n") throw new GraphQLSyntaxError("unterminated string");
            raw += source[j];
            j++;
          }
        }
        if (j >= n) throw new GraphQLSyntaxError("unterminated string");
        tokens.push({ kind: "string", value: JSON.parse(`"${raw}"`) as string });
        i = j + 1;
      }
    } else {
      throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return tokens;
}

function blockString(raw: string): string {
  const lines = raw.split(/\r\n|\n|\r/);
  let indent = Infinity;
  for (const line of lines.slice(1)) {
    const m = /^[ \t]*/.exec(line)![0].length;
    if (m < line.length) indent = Math.min(indent, m);
  }
  const out = lines.map((line, k) => (k === 0 || indent === Infinity ? line : line.slice(indent)));
  while (out.length && out[0]!.trim() === "") out.shift();
  while (out.length && out[out.length - 1]!.trim() === "") out.pop();
  return out.join("\n");
}

export function parseDocument(source: string): Doc {
  const tokens = tokenize(source);
  let p = 0;
  const peek = (offset = 0): Token | undefined => tokens[p + offset];
  const isPunct = (v: string) => peek()?.kind === "punct" && peek()!.value === v;
  const isName = (v?: string) => peek()?.kind === "name" && (v === undefined || peek()!.value === v);
  const expectPunct = (v: string) => {
    if (!isPunct(v))
      throw new GraphQLSyntaxError(`expected "${v}", found ${peek() ? JSON.stringify(peek()!.value) : "the end"}`);
    p++;
  };
  const name = (): string => {
    const t = peek();
    if (t?.kind !== "name")
      throw new GraphQLSyntaxError(`expected a name, found ${t ? JSON.stringify(t.value) : "the end"}`);
    p++;
    return t.value;
  };

  const value = (): Value => {
    const t = peek();
    if (!t) throw new GraphQLSyntaxError("expected a value, found the end");
    if (t.kind === "punct" && t.value === "$") {
      p++;
      return { kind: "var", name: name() };
    }
    if (t.kind === "punct" && t.value === "[") {
      p++;
      const items: Value[] = [];
      while (!isPunct("]")) items.push(value());
      p++;
      return { kind: "list", items };
    }
    if (t.kind === "punct" && t.value === "{") {
      p++;
      const fields: [string, Value][] = [];
      while (!isPunct("}")) {
        const key = name();
        expectPunct(":");
        fields.push([key, value()]);
      }
      p++;
      return { kind: "object", fields };
    }
    p++;
    if (t.kind === "number") return { kind: "const", value: Number(t.value) };
    if (t.kind === "string") return { kind: "const", value: t.value };
    if (t.kind === "name") {
      if (t.value === "true") return { kind: "const", value: true };
      if (t.value === "false") return { kind: "const", value: false };
      if (t.value === "null") return { kind: "const", value: null };
      return { kind: "const", value: t.value }; // enum
    }
    throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(t.value)}`);
  };

  const args = (): Map<string, Value> => {
    const out = new Map<string, Value>();
    if (!isPunct("(")) return out;
    p++;
    while (!isPunct(")")) {
      const key = name();
      expectPunct(":");
      out.set(key, value());
    }
    p++;
    return out;
  };

  const directives = () => {
    while (isPunct("@")) {
      p++;
      name();
      args();
    }
  };

  const type = () => {
    if (isPunct("[")) {
      p++;
      type();
      expectPunct("]");
    } else name();
    if (isPunct("!")) p++;
  };

  const selectionSet = (): Selection[] => {
    expectPunct("{");
    const out: Selection[] = [];
    while (!isPunct("}")) {
      if (isPunct("...")) {
        p++;
        if (isName("on")) {
          p++;
          const on = name();
          directives();
          out.push({ kind: "inline", on, selections: selectionSet() });
        } else if (isPunct("{") || isPunct("@")) {
          directives();
          out.push({ kind: "inline", selections: selectionSet() });
        } else {
          out.push({ kind: "spread", name: name() });
          directives();
        }
        continue;
      }
      let fieldName = name();
      let alias: string | undefined;
      if (isPunct(":")) {
        p++;
        alias = fieldName;
        fieldName = name();
      }
      const fieldArgs = args();
      directives();
      const field: Field = { kind: "field", name: fieldName, args: fieldArgs };
      if (alias !== undefined) field.alias = alias;
      if (isPunct("{")) field.selections = selectionSet();
      out.push(field);
    }
    p++;
    return out;
  };

  const doc: Doc = { operations: [], fragments: new Map() };
  while (p < tokens.length) {
    if (isPunct("{")) {
      doc.operations.push({ type: "query", defaults: new Map(), selections: selectionSet() });
      continue;
    }
    const keyword = name();
    if (keyword === "fragment") {
      const fragmentName = name();
      if (name() !== "on") throw new GraphQLSyntaxError('expected "on"');
      const on = name();
      directives();
      doc.fragments.set(fragmentName, { on, selections: selectionSet() });
      continue;
    }
    if (keyword !== "query" && keyword !== "mutation" && keyword !== "subscription") {
      throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(keyword)}`);
    }
    const op: Operation = { type: keyword, defaults: new Map(), selections: [] };
    if (isName()) op.name = name();
    if (isPunct("(")) {
      p++;
      while (!isPunct(")")) {
        expectPunct("$");
        const varName = name();
        expectPunct(":");
        type();
        if (isPunct("=")) {
          p++;
          op.defaults.set(varName, value());
        }
        directives();
      }
      p++;
    }
    directives();
    op.selections = selectionSet();
    doc.operations.push(op);
  }
  if (doc.operations.length === 0) throw new GraphQLSyntaxError("no operation in the document");
  return doc;
}

/** An error resolving one field: the field answers null and the error is listed with its path. */
export class GraphQLFieldError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export type Obj = Record<string, unknown>;
type Resolver = (args: Record<string, unknown>) => unknown;

export function resolveValue(v: Value, variables: Obj, defaults: Map<string, Value>): unknown {
  switch (v.kind) {
    case "const":
      return v.value;
    case "var": {
      if (Object.prototype.hasOwnProperty.call(variables, v.name)) return variables[v.name];
      const fallback = defaults.get(v.name);
      return fallback ? resolveValue(fallback, variables, defaults) : undefined;
    }
    case "list":
      return v.items.map((item) => resolveValue(item, variables, defaults));
    case "object":
      return Object.fromEntries(v.fields.map(([k, item]) => [k, resolveValue(item, variables, defaults)]));
  }
}

/** Keeps only the selected fields, as GraphQL does. A function-valued field is a resolver taking the field's arguments. */
export function project(
  value: unknown,
  selections: Selection[],
  ctx: { doc: Doc; resolveArgs: (f: Field) => Obj },
): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, selections, ctx));
  if (typeof value !== "object") return value;
  const source = value as Obj;
  const out: Obj = {};
  const apply = (list: Selection[]) => {
    for (const sel of list) {
      if (sel.kind === "field") {
        const key = sel.alias ?? sel.name;
        if (sel.name === "__typename") {
          out[key] = source.__typename ?? null;
          continue;
        }
        let raw = source[sel.name];
        if (typeof raw === "function") raw = (raw as Resolver)(ctx.resolveArgs(sel));
        const projected = sel.selections ? project(raw, sel.selections, ctx) : raw === undefined ? null : raw;
        const existing = out[key];
        out[key] =
          existing &&
          typeof existing === "object" &&
          projected &&
          typeof projected === "object" &&
          !Array.isArray(projected)
            ? { ...(existing as Obj), ...(projected as Obj) }
            : projected;
      } else {
        const fragment = sel.kind === "inline" ? sel : ctx.doc.fragments.get(sel.name);
        if (!fragment)
          throw new GraphQLFieldError(`Fragment ${sel.kind === "spread" ? sel.name : ""} was used, but not defined`);
        const on = fragment.on;
        if (on && typeof source.__typename === "string" && source.__typename !== on) continue;
        apply(fragment.selections);
      }
    }
  };
  apply(selections);
  return out;
}
