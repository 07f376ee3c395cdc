import { describe, expect, it } from "vitest";
import { bodyRefusal, DEFAULT_HTTP_LIMITS, httpLimits } from "./http-limits";

describe("httpLimits", () => {
  it("bounds what one client may hold, by default", () => {
    expect(httpLimits({})).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      checkIntervalMs: 1_000,
      maxHeadersCount: 100,
      maxHeaderSize: 16_384,
      maxConnections: 1_000,
      maxBodyBytes: 1_048_576,
    });
    expect(httpLimits({})).toEqual(DEFAULT_HTTP_LIMITS);
  });

  it("takes overrides from the environment, checking the timeouts often enough to keep them", () => {
    expect(
      httpLimits({
        TAILORED_HTTP_HEADERS_TIMEOUT_MS: "200",
        TAILORED_HTTP_REQUEST_TIMEOUT_MS: "800",
        TAILORED_HTTP_KEEP_ALIVE_TIMEOUT_MS: "700",
        TAILORED_HTTP_MAX_CONNECTIONS: " 8 ",
      }),
    ).toMatchObject({
      headersTimeoutMs: 200,
      requestTimeoutMs: 800,
      keepAliveTimeoutMs: 700,
      maxConnections: 8,
      checkIntervalMs: 50,
    });
  });

  it.each([
    [
      { TAILORED_HTTP_HEADERS_TIMEOUT_MS: "0" },
      /TAILORED_HTTP_HEADERS_TIMEOUT_MS must be a positive whole number, got "0"/,
    ],
    [{ TAILORED_HTTP_MAX_CONNECTIONS: "lots" }, /TAILORED_HTTP_MAX_CONNECTIONS must be a positive whole number/],
    [{ TAILORED_HTTP_REQUEST_TIMEOUT_MS: "1.5" }, /must be a positive whole number/],
    [
      { TAILORED_HTTP_HEADERS_TIMEOUT_MS: "60000" },
      /headers timeout \(60000 ms\) must not exceed the request timeout \(30000 ms\)/,
    ],
  ])("refuses %j", (env, message) => {
    expect(() => httpLimits(env)).toThrow(message);
  });
});

describe("bodyRefusal", () => {
  it("lets bodiless requests and bodies within the limit through", () => {
    expect(bodyRefusal("GET", { "content-length": "5000" }, 1000)).toBeNull();
    expect(bodyRefusal("POST", { "content-length": "1000" }, 1000)).toBeNull();
    expect(bodyRefusal("POST", {}, 1000)).toBeNull(); // no body at all
  });

  it("refuses a body over the limit, or one that does not say its length, before reading it", () => {
    expect(bodyRefusal("POST", { "content-length": "1001" }, 1000)).toEqual({
      status: 413,
      text: "Request body too large (at most 1000 bytes)",
    });
    expect(bodyRefusal("put", { "content-length": "99999999999999999999" }, 1000)?.status).toBe(413);
    expect(bodyRefusal("POST", { "transfer-encoding": "chunked" }, 1000)?.status).toBe(411);
    expect(bodyRefusal("DELETE", { "content-length": "12abc" }, 1000)?.status).toBe(411);
  });
});
