// Reads the JSONL result of a bulk query operation. Shopify flattens nested connections: every object
// is its own line, and an object from a nested connection carries `__parentId`, the id of the object
// it belongs to. In API 2025-07 bulkOperationRunQuery groups objects by default (`groupObjects:
// true`), which places child objects directly below their parent; that is what lets this reader
// hand out one top-level object with its children and keep nothing else in memory. (From 2026-01
// the default is `groupObjects: false`, where that order is not promised: such a file would show up
// here as orphan-child errors.)
//
// A result file can hold millions of lines, so the input is read chunk by chunk and split on the
// newline byte: 0x0A never occurs inside a multi-byte UTF-8 sequence, so a line is only decoded once
// all its bytes are in, wherever the chunks were cut.

export type BulkRecord = { node: Record<string, unknown>; children: Record<string, unknown>[]; line: number };
export type BulkJsonlError = { error: string; line: number };

type Group = { record: BulkRecord; id: unknown; childIds: Set<string> | null };

const NEWLINE = 0x0a;
const CR = 0x0d;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (Buffer.isBuffer(chunk)) return chunk;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Yields each top-level object with the rows that follow it carrying its id as __parentId. Reads line
 * by line from the stream; never holds the file. Nested children (grandchildren) go to children too,
 * in order, with their `__parentId` left in place so callers can tell the levels apart. A malformed
 * line yields an error record instead of throwing; since a group is only complete when the next
 * top-level object (or the end) arrives, an error about a line inside a group is yielded before
 * that group.
 */
export async function* readBulkJsonl(
  input: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<BulkRecord | BulkJsonlError> {
  let group: Group | null = null;
  let lineNo = 0;
  // Bytes of a line not yet ended, kept as parts so one long line over many chunks is joined once.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const out: (BulkRecord | BulkJsonlError)[] = [];

  const handleLine = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    if (end > start && buf[end - 1] === CR) end--;
    if (end <= start) return;
    let text = buf.toString("utf8", start, end);
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === "") return;
      out.push({ error: `line ${lineNo}: not valid JSON (${(error as Error).message})`, line: lineNo });
      return;
    }
    if (!isPlainObject(value)) {
      out.push({ error: `line ${lineNo}: expected a JSON object`, line: lineNo });
      return;
    }
    const parentId = value.__parentId;
    if (parentId === undefined) {
      if (group) out.push(group.record);
      group = { record: { node: value, children: [], line: lineNo }, id: value.id, childIds: null };
      return;
    }
    if (typeof parentId !== "string") {
      out.push({ error: `line ${lineNo}: __parentId is not a string`, line: lineNo });
      return;
    }
    const current: Group | null = group;
    if (!current || (parentId !== current.id && !current.childIds?.has(parentId))) {
      const expected = current
        ? `the current parent is ${String(current.id)} (line ${current.record.line})`
        : "no parent came before it";
      out.push({ error: `line ${lineNo}: orphan child of ${parentId}: ${expected}`, line: lineNo });
      return;
    }
    current.record.children.push(value);
    if (typeof value.id === "string") (current.childIds ??= new Set()).add(value.id);
  };

  for await (const chunk of input) {
    const buf = toBuffer(chunk);
    let start = 0;
    let nl = buf.indexOf(NEWLINE, 0);
    if (pendingBytes > 0) {
      if (nl === -1) {
        pending.push(buf);
        pendingBytes += buf.length;
        continue;
      }
      pending.push(buf.subarray(0, nl));
      const joined = Buffer.concat(pending, pendingBytes + nl);
      pending = [];
      pendingBytes = 0;
      handleLine(joined, 0, joined.length);
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    while (nl !== -1) {
      handleLine(buf, start, nl);
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    if (start < buf.length) {
      // The chunk may be reused by its producer once we move on: keep a copy of the tail.
      const tail = Buffer.from(buf.subarray(start));
      pending.push(tail);
      pendingBytes += tail.length;
    }
    if (out.length > 0) {
      for (const item of out) yield item;
      out.length = 0;
    }
  }
  if (pendingBytes > 0) {
    const joined = Buffer.concat(pending, pendingBytes);
    handleLine(joined, 0, joined.length);
  }
  const last = group as Group | null;
  if (last) out.push(last.record);
  for (const item of out) yield item;
}
