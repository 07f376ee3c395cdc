// Functions: products_purchased and orders_placed, prepared. The parser already checks names,
// operators and value types; a rule can also arrive as stored JSON, so everything is checked again
// here and an unknown parameter or a mismatched value is an error, never a guess.
import { parseMinor } from "~/domain/money";
import { argOperators, getFunction, getParam } from "../attributes";
import type { FunctionArg, FunctionCall, ScalarValue } from "../rule";
import type { Cmp, EngineContext, Instants, IntTest, LineTest, OrdersPlaced, Prepared, Purchased } from "../engine";
import { Unsupported, checkTag, dayInterval, foldAscii, integer, numberOf, ymdOf } from "./values";

function argScalars(arg: FunctionArg): ScalarValue[] {
  return arg.value.kind === "range"
    ? [arg.value.low, arg.value.high]
    : arg.value.kind === "list"
      ? arg.value.items
      : [arg.value];
}

function textOf(value: ScalarValue, what: string): string {
  if (value.kind !== "string") throw new Unsupported(`${what} compares with text in single quotes`);
  return value.value;
}

function productIdOf(value: ScalarValue): string {
  if (value.kind !== "number" || !/^[0-9]+$/.test(value.value))
    throw new Unsupported("id compares with a numeric product ID");
  return value.value;
}

const CMPS: readonly string[] = ["=", "!=", ">", ">=", "<", "<="];

/** The one scalar an ordinary comparison argument holds, and its operator. */
function comparison(arg: FunctionArg): { op: Cmp; value: ScalarValue } {
  if (!CMPS.includes(arg.operator) || arg.value.kind === "range" || arg.value.kind === "list") {
    throw new Unsupported(`${arg.operator} does not apply to ${arg.name}`);
  }
  return { op: arg.operator as Cmp, value: arg.value };
}

function intTestOf(arg: FunctionArg, asInt: (v: ScalarValue) => bigint): IntTest {
  if (arg.operator === "BETWEEN" && arg.value.kind === "range")
    return { op: "BETWEEN", low: asInt(arg.value.low), high: asInt(arg.value.high) };
  const { op, value } = comparison(arg);
  return { op, value: asInt(value) };
}

function datesOf(arg: FunctionArg, ctx: EngineContext): Instants[] {
  if (arg.operator === "BETWEEN" && arg.value.kind === "range") {
    return [dayInterval(">=", ymdOf(arg.value.low, ctx), ctx), dayInterval("<=", ymdOf(arg.value.high, ctx), ctx)];
  }
  const { op, value } = comparison(arg);
  return [dayInterval(op, ymdOf(value, ctx), ctx)];
}

export function prepFunction(call: FunctionCall, ctx: EngineContext): Prepared {
  const fn = getFunction(call.name);
  if (!fn || !fn.available) throw new Unsupported(`unknown function ${call.name}`);
  const args = new Map<string, FunctionArg>();
  for (const arg of call.args) {
    const param = getParam(fn, arg.name);
    if (!param) throw new Unsupported(`${call.name} has no parameter '${arg.name}'`);
    if (args.has(arg.name)) throw new Unsupported(`'${arg.name}' is given twice`);
    if (!argOperators(param).includes(arg.operator)) {
      const only = param.operators?.length === 1 ? param.operators[0] : undefined;
      throw new Unsupported(
        only
          ? `${arg.name} takes only '${only}', not '${arg.operator}'`
          : `'${arg.operator}' does not apply to ${arg.name}`,
      );
    }
    args.set(arg.name, arg);
  }
  // A caller's mistake, not the merchant's: every app path gets its context from shopContext.
  if (ctx.shop === undefined) throw new Error(`${call.name} needs the shop in the engine context`);
  const shop = ctx.shop;
  const whole = (name: string) => (v: ScalarValue) => integer(numberOf(v), name);
  const dates = args.has("date") ? datesOf(args.get("date")!, ctx) : [];
  let prepared: Purchased | OrdersPlaced;
  if (call.name === "products_purchased") {
    const lines: LineTest[] = [];
    const fields = { id: "productId", product_type: "productType", vendor: "vendor", tag: "tags" } as const;
    for (const [name, field] of Object.entries(fields)) {
      const arg = args.get(name);
      if (!arg) continue;
      if (arg.operator !== "=" && arg.operator !== "!=" && arg.operator !== "IN" && arg.operator !== "NOT IN") {
        throw new Unsupported(`'${arg.operator}' does not apply to ${name}`);
      }
      const values = argScalars(arg).map((v) =>
        field === "productId"
          ? productIdOf(v)
          : field === "tags"
            ? checkTag(textOf(v, name), "a product tag")
            : foldAscii(textOf(v, name)),
      );
      lines.push({ field, values: [...new Set(values)], negate: arg.operator === "!=" || arg.operator === "NOT IN" });
    }
    const quantity = args.get("quantity");
    const sum = args.get("sum_quantity");
    prepared = {
      kind: "purchased",
      shop,
      lines,
      dates,
      quantity: quantity ? intTestOf(quantity, whole("quantity")) : null,
      sumQuantity: sum ? intTestOf(sum, whole("sum_quantity")) : null,
    };
  } else if (call.name === "orders_placed") {
    const count = args.get("count_at_least");
    let countAtLeast = 1n;
    if (count) {
      countAtLeast = integer(numberOf(comparison(count).value), "count_at_least");
      if (countAtLeast < 0n) throw new Unsupported("count_at_least cannot be negative");
    }
    const amount = args.get("sum_amount");
    prepared = {
      kind: "ordersPlaced",
      shop,
      dates,
      countAtLeast,
      sumAmount: amount ? intTestOf(amount, (v) => parseMinor(numberOf(v), ctx.currencyCode)) : null,
    };
  } else {
    throw new Unsupported(`${call.name} is not evaluated yet`);
  }
  return call.negated ? { kind: "not", child: prepared } : prepared;
}
