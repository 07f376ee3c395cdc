// What the email-tool stand-ins (fake-klaviyo.ts, fake-mailchimp.ts) share: a local HTTP server on a
// random port, JSON bodies, a request log (without headers: keys stay out of it), scripted faults
// (429 with or without Retry-After, 5xx) for the next requests matching a path, and holding requests
// unanswered (a client killed mid-request: what it sent is never accepted).
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = { status: number; retryAfter?: string; times: number; path?: RegExp; method?: string };

export type Logged = { method: string; path: string; status: number };

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export type Handler = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  raw: string;
}) => Reply | Promise<Reply>;

export class FakeService {
  url = "";
  readonly log: Logged[] = [];
  private faults: Fault[] = [];
  private server: http.Server | null = null;
  /** Requests matching this are held (never answered, never applied) until `release()`. */
  hold: ((method: string, path: string) => boolean) | null = null;
  private held: http.ServerResponse[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Answer time added to every request (to see concurrency). */
  delayMs = 0;

  constructor(private readonly handler: Handler) {}

  /** The next `times` requests matching `path` (and `method`) get `status` (with Retry-After when given). */
  fail(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  release(): void {
    this.hold = null;
    for (const res of this.held) res.destroy();
    this.held = [];
  }

  count(method: string, path: RegExp): number {
    return this.log.filter((l) => l.method === method && path.test(l.path) && l.status >= 200 && l.status < 300).length;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const path = url.pathname;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.hold?.(method, path)) {
        this.held.push(res);
        this.log.push({ method, path, status: 0 });
        return;
      }
      const fault = this.faults.find(
        (f) => f.times > 0 && (!f.path || f.path.test(path)) && (!f.method || f.method === method),
      );
      if (fault) {
        fault.times--;
        this.log.push({ method, path, status: fault.status });
        res.writeHead(fault.status, {
          "content-type": "application/json",
          ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}),
        });
        res.end(JSON.stringify({ errors: [{ status: fault.status, detail: "scripted fault" }] }));
        return;
      }
      let body: unknown = null;
      if (raw !== "") {
        try {
          body = JSON.parse(raw);
        } catch {
          this.log.push({ method, path, status: 400 });
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ detail: "malformed JSON" }] }));
          return;
        }
      }
      const reply = await this.handler({ method, path, query: url.searchParams, headers: req.headers, body, raw });
      this.log.push({ method, path, status: reply.status });
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    } finally {
      this.inFlight--;
    }
  }
}
