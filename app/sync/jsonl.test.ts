import { describe, expect, it } from "vitest";
import { readBulkJsonl, type BulkJsonlError, type BulkRecord } from "./jsonl";

async function collect(chunks: (Uint8Array | string)[]): Promise<(BulkRecord | BulkJsonlError)[]> {
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const items: (BulkRecord | BulkJsonlError)[] = [];
  for await (const item of readBulkJsonl(source())) items.push(item);
  return items;
}

const lines = (...objects: unknown[]) => objects.map((o) => JSON.stringify(o)).join("\n") + "\n";

describe("readBulkJsonl", () => {
  it("groups each top-level object with the children and grandchildren that follow it", async () => {
    const text = lines(
      { id: "gid://shopify/Product/1", title: "Shirt" },
      { id: "gid://shopify/ProductVariant/11", __parentId: "gid://shopify/Product/1" },
      { id: "gid://shopify/InventoryLevel/111", __parentId: "gid://shopify/ProductVariant/11" },
      { id: "gid://shopify/ProductVariant/12", __parentId: "gid://shopify/Product/1" },
      { id: "gid://shopify/Product/2", title: "Hat" },
      { id: "gid://shopify/Product/3", title: "Scarf" },
      { id: "gid://shopify/ProductVariant/31", __parentId: "gid://shopify/Product/3" },
    );
    expect(await collect([text])).toEqual([
      {
        node: { id: "gid://shopify/Product/1", title: "Shirt" },
        children: [
          { id: "gid://shopify/ProductVariant/11", __parentId: "gid://shopify/Product/1" },
          { id: "gid://shopify/InventoryLevel/111", __parentId: "gid://shopify/ProductVariant/11" },
          { id: "gid://shopify/ProductVariant/12", __parentId: "gid://shopify/Product/1" },
        ],
        line: 1,
      },
      { node: { id: "gid://shopify/Product/2", title: "Hat" }, children: [], line: 5 },
      {
        node: { id: "gid://shopify/Product/3", title: "Scarf" },
        children: [{ id: "gid://shopify/ProductVariant/31", __parentId: "gid://shopify/Product/3" }],
        line: 6,
      },
    ]);
  });

  it("gives the same result wherever the input is cut, multi-byte characters included", async () => {
    const text =
      '{"id":"gid://shopify/Customer/1","firstName":"Zoë","note":"日本語 ✓ 🎉"}\n' +
      '{"id":"gid://shopify/Order/9","__parentId":"gid://shopify/Customer/1","name":"Ångström"}\r\n' +
      "\n" +
      '{"id":"gid://shopify/Customer/2","firstName":"Łukasz"}';
    const bytes = Buffer.from(text, "utf8");
    const expected = await collect([text]);
    expect(expected).toEqual([
      {
        node: { id: "gid://shopify/Customer/1", firstName: "Zoë", note: "日本語 ✓ 🎉" },
        children: [{ id: "gid://shopify/Order/9", __parentId: "gid://shopify/Customer/1", name: "Ångström" }],
        line: 1,
      },
      { node: { id: "gid://shopify/Customer/2", firstName: "Łukasz" }, children: [], line: 4 },
    ]);
    for (let i = 0; i <= bytes.length; i++) {
      expect(await collect([bytes.subarray(0, i), bytes.subarray(i)]), `cut at byte ${i}`).toEqual(expected);
    }
    for (let i = 0; i <= bytes.length; i += 3) {
      for (let j = i; j <= bytes.length; j += 5) {
        const parts = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
        expect(await collect(parts), `cut at bytes ${i} and ${j}`).toEqual(expected);
      }
    }
    expect(await collect([...bytes].map((b) => Uint8Array.of(b))), "one byte per chunk").toEqual(expected);
    expect(await collect([...text]), "one character per string chunk").toEqual(expected);
  });

  it("reports a malformed line and carries on", async () => {
    const text =
      '{"id":"gid://shopify/Customer/1"}\n' +
      '{"id":"gid://shopify/Customer/2",\n' +
      "[1,2]\n" +
      '{"id":"gid://shopify/Customer/3"}\n';
    const items = await collect([text]);
    expect(items).toEqual([
      { error: expect.stringMatching(/^line 2: not valid JSON/), line: 2 },
      { error: "line 3: expected a JSON object", line: 3 },
      { node: { id: "gid://shopify/Customer/1" }, children: [], line: 1 },
      { node: { id: "gid://shopify/Customer/3" }, children: [], line: 4 },
    ]);
  });

  it("reports a child that does not follow its parent", async () => {
    const text = lines(
      { id: "gid://shopify/Order/5", __parentId: "gid://shopify/Customer/1" },
      { id: "gid://shopify/Customer/1" },
      { id: "gid://shopify/Customer/2" },
      { id: "gid://shopify/Order/6", __parentId: "gid://shopify/Customer/1" },
      { id: "gid://shopify/Order/7", __parentId: "gid://shopify/Customer/2" },
    );
    expect(await collect([text])).toEqual([
      { error: "line 1: orphan child of gid://shopify/Customer/1: no parent came before it", line: 1 },
      { node: { id: "gid://shopify/Customer/1" }, children: [], line: 2 },
      {
        error:
          "line 4: orphan child of gid://shopify/Customer/1: the current parent is gid://shopify/Customer/2 (line 3)",
        line: 4,
      },
      {
        node: { id: "gid://shopify/Customer/2" },
        children: [{ id: "gid://shopify/Order/7", __parentId: "gid://shopify/Customer/2" }],
        line: 3,
      },
    ]);
  });

  it("reads CRLF line ends, blank lines and a last line without a newline", async () => {
    const text = '{"id":"a"}\r\n\r\n{"id":"b","__parentId":"a"}\r\n   \r\n{"id":"c"}';
    expect(await collect([text])).toEqual([
      { node: { id: "a" }, children: [{ id: "b", __parentId: "a" }], line: 1 },
      { node: { id: "c" }, children: [], line: 5 },
    ]);
    expect(await collect([])).toEqual([]);
    expect(await collect(["\n\r\n"])).toEqual([]);
  });

  it("does not keep a reference to a chunk the producer may reuse", async () => {
    const reused = Buffer.alloc(16);
    async function* source() {
      reused.write('{"id":"x","v":"', "utf8");
      yield reused.subarray(0, 15);
      reused.fill(0x20);
      reused.write('1"}\n', "utf8");
      yield reused.subarray(0, 4);
    }
    const items: unknown[] = [];
    for await (const item of readBulkJsonl(source())) items.push(item);
    expect(items).toEqual([{ node: { id: "x", v: "1" }, children: [], line: 1 }]);
  });
});
