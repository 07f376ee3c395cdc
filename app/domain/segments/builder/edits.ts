// Edits to the visual builder's tree, each returning a new tree (React state is never mutated):
// finding, replacing, removing and adding nodes, NOT on and off, and new or changed conditions and
// function arguments with defaults that make sense for their type.
import {
  ATTRIBUTES,
  FUNCTIONS,
  OPERATORS_BY_TYPE,
  getAttribute,
  getFunction,
  getParam,
  type ArgOperator,
  type AttributeDef,
  type AttributeType,
  type ConditionOperator,
  type FunctionDef,
  type ParamType,
} from "../attributes";
import type { BuilderArg, BuilderCondition, BuilderFunction, BuilderGroup, BuilderNode, Path } from "../builder";

type ValueType = AttributeType | ParamType;

export function emptyBuilder(): BuilderGroup {
  return { kind: "group", op: "and", children: [] };
}

export function nodeAt(root: BuilderNode, path: Path): BuilderNode | undefined {
  let node: BuilderNode | undefined = root;
  for (const i of path) {
    if (!node) return undefined;
    node = node.kind === "group" ? node.children[i] : node.kind === "not" && i === 0 ? node.child : undefined;
  }
  return node;
}

export function updateAt(root: BuilderNode, path: Path, fn: (node: BuilderNode) => BuilderNode): BuilderNode {
  if (path.length === 0) return fn(root);
  const [head, ...rest] = path as [number, ...number[]];
  if (root.kind === "group") {
    const child = root.children[head];
    if (!child) return root;
    return { ...root, children: root.children.map((c, i) => (i === head ? updateAt(c, rest, fn) : c)) };
  }
  if (root.kind === "not" && head === 0) return { ...root, child: updateAt(root.child, rest, fn) };
  return root;
}

/** Removes a node; a NOT left without its child goes with it. The root cannot be removed, only emptied. */
export function removeAt(root: BuilderNode, path: Path): BuilderNode {
  if (path.length === 0) return emptyBuilder();
  const parentPath = path.slice(0, -1);
  const index = path[path.length - 1] as number;
  const parent = nodeAt(root, parentPath);
  if (parent?.kind === "not") return removeAt(root, parentPath);
  return updateAt(root, parentPath, (p) =>
    p.kind === "group" ? { ...p, children: p.children.filter((_, i) => i !== index) } : p,
  );
}

export function appendChild(root: BuilderNode, groupPath: Path, child: BuilderNode): BuilderNode {
  return updateAt(root, groupPath, (g) => (g.kind === "group" ? { ...g, children: [...g.children, child] } : g));
}

/** Wraps a node in NOT, or unwraps it if it is one. */
export function toggleNot(root: BuilderNode, path: Path): BuilderNode {
  return updateAt(root, path, (n) => (n.kind === "not" ? n.child : { kind: "not", child: n }));
}

function defaultValue(type: ValueType, enumValues?: readonly string[]): string {
  if (type === "enum") return enumValues?.[0] ?? "";
  if (type === "boolean") return "true";
  if (type === "date") return "-30d";
  return "";
}

function defaultOperator(type: AttributeType): ConditionOperator {
  if (type === "string_list") return "CONTAINS";
  if (type === "number" || type === "money" || type === "date") return ">=";
  return "=";
}

/** A condition the merchant just added: `fresh` until they edit it, so its gaps are not shown as errors yet. */
export function newCondition(attribute = "amount_spent"): BuilderCondition {
  const def: AttributeDef = getAttribute(attribute) ?? ATTRIBUTES.amount_spent;
  return {
    kind: "condition",
    attribute,
    operator: defaultOperator(def.type),
    value: defaultValue(def.type, def.enumValues),
    high: "",
    fresh: true,
  };
}

/** The node once the merchant has edited it: no longer fresh, so its problems are shown. */
export function touch<T extends BuilderCondition | BuilderFunction>(node: T): T {
  if (!node.fresh) return node;
  const copy = { ...node };
  delete copy.fresh;
  return copy;
}

/** A new attribute keeps the operator and value where they still make sense. */
export function changeAttribute(node: BuilderCondition, attribute: string): BuilderCondition {
  const before = getAttribute(node.attribute);
  const def = getAttribute(attribute);
  if (!def) return { ...node, attribute };
  const operator = OPERATORS_BY_TYPE[def.type].includes(node.operator) ? node.operator : defaultOperator(def.type);
  const sameKind = before?.type === def.type && before.enumValues === def.enumValues;
  if (sameKind) return { ...node, attribute, operator };
  const next: BuilderCondition = {
    ...node,
    attribute,
    operator,
    value: defaultValue(def.type, def.enumValues),
    high: "",
  };
  delete next.items;
  delete next.dateMode;
  return next;
}

/** IN / NOT IN hold a list: the single value becomes its first item, and back. */
export function changeOperator(node: BuilderCondition, operator: ConditionOperator): BuilderCondition {
  const listy = operator === "IN" || operator === "NOT IN";
  const wasListy = node.operator === "IN" || node.operator === "NOT IN";
  if (listy && !wasListy) return { ...node, operator, items: node.value ? [node.value] : [] };
  if (!listy && wasListy) {
    const next: BuilderCondition = { ...node, operator, value: node.value || (node.items?.[0] ?? "") };
    delete next.items;
    return next;
  }
  return { ...node, operator };
}

export function newFunction(name = "products_purchased"): BuilderFunction {
  const fn: FunctionDef = getFunction(name) ?? FUNCTIONS.products_purchased;
  const first = Object.keys(fn.params)[0];
  return { kind: "function", name, negated: false, args: first ? [newArg(name, first)] : [], fresh: true };
}

export function newArg(fnName: string, paramName?: string, taken: readonly BuilderArg[] = []): BuilderArg {
  const fn = getFunction(fnName);
  const names = fn ? Object.keys(fn.params) : [];
  const name = paramName ?? names.find((n) => !taken.some((a) => a.name === n)) ?? names[0] ?? "";
  const param = fn ? getParam(fn, name) : undefined;
  const type = param?.type ?? "string";
  const operator: ArgOperator = type === "date" ? ">=" : type === "number" || type === "money" ? ">=" : "=";
  return { name, operator, value: defaultValue(type), high: "", items: [] };
}

export function changeArgName(fnName: string, arg: BuilderArg, name: string): BuilderArg {
  const fn = getFunction(fnName);
  const before = fn ? getParam(fn, arg.name) : undefined;
  const after = fn ? getParam(fn, name) : undefined;
  if (!after) return { ...arg, name };
  if (before?.type === after.type) return { ...arg, name };
  return newArg(fnName, name);
}

export function changeArgOperator(arg: BuilderArg, operator: ArgOperator): BuilderArg {
  const listy = operator === "IN" || operator === "NOT IN";
  const wasListy = arg.operator === "IN" || arg.operator === "NOT IN";
  if (listy && !wasListy) return { ...arg, operator, items: arg.items.length > 0 ? arg.items : [arg.value] };
  if (!listy && wasListy) return { ...arg, operator, value: arg.value || (arg.items[0] ?? "") };
  return { ...arg, operator };
}

/** For labels and select options. */
export function paramType(fnName: string, argName: string): ParamType | undefined {
  const fn = getFunction(fnName);
  return fn ? getParam(fn, argName)?.type : undefined;
}
