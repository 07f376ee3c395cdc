// A lean HTTP/1.1 load generator for the ingest benchmark, in the manner of wrk: each connection is
// kept alive and carries one request at a time; every request is serialised (and signed) before the
// clock starts. It shares two cores with the server it measures, so it spends as little CPU per
// request as it can: no header objects, no URL parsing, one write per request, a status-line read.
import net from "node:net";
import { sendReport, type SendReport } from "~/sync/replay.server";
import { webhookHeaders, type Delivery } from "~/sync/signing";

export function serialise(delivery: Delivery, secret: string, host: string): Buffer {
  const body = Buffer.from(delivery.body, "utf8");
  const headers = { ...webhookHeaders(delivery, secret), host, "content-length": String(body.length) };
  const head = `POST /webhooks/${delivery.topic.replace(".", "/")} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

export type LoadReport = SendReport;

/** Reads one response at a time off a kept-alive socket: status, then Content-Length or chunked body. */
function connection(port: number): { send(request: Buffer): Promise<number>; close(): void } {
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | null = null;
  const tryParse = () => {
    if (!waiting) return;
    const end = buffered.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = buffered.subarray(0, end).toString("latin1");
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let total: number;
    if (length) total = end + 4 + Number(length[1]);
    else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const last = buffered.indexOf("0\r\n\r\n", end + 4);
      if (last < 0) return;
      total = last + 5;
    } else return waiting.reject(new Error(`response without a length: ${head}`));
    if (buffered.length < total) return;
    buffered = buffered.subarray(total);
    const done = waiting;
    waiting = null;
    done.resolve(status);
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    tryParse();
  });
  const fail = (error: Error) => {
    const w = waiting;
    waiting = null;
    w?.reject(error);
  };
  socket.on("error", fail);
  socket.on("close", () => fail(new Error("connection closed")));
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(request);
      }),
    close: () => socket.destroy(),
  };
}

export async function load(port: number, requests: readonly Buffer[], concurrency: number): Promise<LoadReport> {
  const latencies = new Float64Array(requests.length);
  const byStatus: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let conn = connection(port);
      for (;;) {
        const i = next++;
        if (i >= requests.length) break;
        const t0 = performance.now();
        let status: string;
        try {
          status = String(await conn.send(requests[i]!));
        } catch (error) {
          status = `error: ${(error as Error).message}`;
          conn.close();
          conn = connection(port);
        }
        latencies[i] = performance.now() - t0;
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
      conn.close();
    }),
  );
  return sendReport(latencies, byStatus, started);
}
