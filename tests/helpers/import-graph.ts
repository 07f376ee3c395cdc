// The static import graph of the app's own modules, read with TypeScript's parser, and its cycles.
// Only imports that exist at run time count: `import type`, `export type … from` and imports whose
// every name is a type are erased by the compiler, so they cannot make modules wait on each other;
// `await import()` (used on purpose by the CLI) loads on demand and is left out too.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export type ImportGraph = Map<string, Set<string>>;

const EXTENSIONS = [".ts", ".tsx", ".mjs", ".js"];

function resolve(from: string, specifier: string, root: string, alias: Record<string, string>): string | null {
  let base: string | null = null;
  for (const [prefix, target] of Object.entries(alias)) {
    if (specifier.startsWith(prefix)) base = path.join(root, target, specifier.slice(prefix.length));
  }
  if (base === null && specifier.startsWith(".")) base = path.resolve(path.dirname(from), specifier);
  if (base === null) return null; // a package
  for (const candidate of [
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => path.join(base!, `index${e}`)),
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The run-time module specifiers a source file imports statically. */
export function runtimeImports(source: string, fileName = "module.ts"): string[] {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.Latest,
    false,
    fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: string[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (!onlyTypes) found.push(statement.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      if (statement.isTypeOnly) continue;
      const clause = statement.exportClause;
      if (
        clause &&
        ts.isNamedExports(clause) &&
        clause.elements.length > 0 &&
        clause.elements.every((e) => e.isTypeOnly)
      )
        continue;
      found.push(statement.moduleSpecifier.text);
    }
  }
  return found;
}

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
}

/** Every module under `dir` (tests excluded) and the modules of the project it imports at run time. */
export function importGraph(root: string, dir: string, alias: Record<string, string> = { "~/": "app/" }): ImportGraph {
  const files: string[] = [];
  walk(path.join(root, dir), files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of runtimeImports(fs.readFileSync(file, "utf8"), file)) {
      const target = resolve(file, specifier, root, alias);
      if (target) targets.add(path.relative(root, target));
    }
    graph.set(path.relative(root, file), targets);
  }
  return graph;
}

/** The graph's cycles: one per strongly connected component of more than one module (or a self-import), as a path. */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative-free recursion is fine at this size.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string) => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) connect(node);
  // Each component as one concrete cycle through its first module (sorted), easier to read than a set.
  return components.map((component) => cycleThrough(graph, new Set(component), [...component].sort()[0]!));
}

function cycleThrough(graph: ImportGraph, members: Set<string>, start: string): string[] {
  // Breadth-first from start back to start, inside the component.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const cycle = [node];
        while (cycle[0] !== start) cycle.unshift(previous.get(cycle[0]!)!);
        return [...cycle, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
