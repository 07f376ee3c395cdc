// The export routes, called directly with real requests in demo mode: the CSV download (streamed,
// quoted, guarded, the fields asked for), its bad inputs (404, 422, never a 500); the Settings page
// (a refused key is a 422 with a message, and no answer ever holds a key); the Exports page's action.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { DEMO_SHOP } from "~/demo/mode.server";
import { newEncryptionKey } from "~/export/secrets.server";
import { createSegment } from "~/models/segments/definitions.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { stubDemoEnv } from "../helpers/demo-env";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";
import { FakeMailchimp } from "../helpers/fake-mailchimp";
import { customer } from "../helpers/rows";

const KEY = "pk_routes_0123456789abcdef";
const MC_KEY = "fedcba9876543210fedcba9876543210-us3";
const now = new Date("2026-06-02T00:00:00Z");
const base = "http://localhost:3000";

describe("export routes (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  let fake: FakeKlaviyo;
  let chimp: FakeMailchimp;
  let segmentId: number;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    fake = await new FakeKlaviyo(KEY).start();
    chimp = await new FakeMailchimp(MC_KEY).start();
    chimp.audiences.set("aud002", { name: "Newsletter", members: new Map() });
    stubDemoEnv(database.url, {
      TAILORED_ENCRYPTION_KEY: newEncryptionKey(),
      KLAVIYO_API_ORIGIN: fake.url,
      MAILCHIMP_API_ORIGIN: chimp.url,
    });
    ({ db } = await import("~/db.server"));
    await upsertShop(db, { domain: DEMO_SHOP, name: "Demo", currencyCode: "EUR", ianaTimezone: "Europe/Paris" });
    await upsertCustomers(db, {
      shop: DEMO_SHOP,
      now,
      rows: [
        customer({ id: "1", email: "plain@example.com", firstName: "Ana", lastName: "Lima", tags: ["vip"] }),
        customer({
          id: "2",
          email: "=evil@example.com",
          firstName: '=HYPERLINK("http://x")',
          lastName: 'O"Neil, Jr',
          city: "Line\nBreak",
          tags: ["-1", "vip"],
        }),
        customer({ id: "3", email: "other@example.com", tags: ["regular"] }),
      ],
    });
    segmentId = await createSegment(db, { shop: DEMO_SHOP, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
  });
  afterAll(async () => {
    await db.close();
    await fake.close();
    await chimp.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const csvRoute = () => import("~/routes/app.segments.$id_.export[.]csv");
  const get = async (id: string, query = "") =>
    (await csvRoute()).loader({
      request: new Request(`${base}/app/segments/${id}/export.csv${query}`),
      params: { id },
      context: {},
    });

  it("streams the segment's members as CSV, quoted and guarded, with the fields asked for", async () => {
    const response = await get(String(segmentId), "?fields=customer_id,email,first_name,last_name,city,tags&bom=1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="VIP-\d{4}-\d{2}-\d{2}\.csv"$/);
    // Read as bytes: Response.text() drops a leading byte-order mark, as UTF-8 decoding does.
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parse(bytes.subarray(3).toString("utf8"))).toEqual([
      ["Customer ID", "Email", "First name", "Last name", "City", "Tags"],
      ["1", "plain@example.com", "Ana", "Lima", "London", "vip"],
      ["2", "'=evil@example.com", '\'=HYPERLINK("http://x")', 'O"Neil, Jr', "Line\nBreak", "'-1,vip"],
    ]);
  });

  it("answers a bad request with 404 or 422, never a 500", async () => {
    expect((await get("999")).status).toBe(404);
    expect((await get("abc")).status).toBe(404);
    expect((await get("99999999999")).status).toBe(404);
    const bad = await get(String(segmentId), "?fields=email,passwords");
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/unknown field "passwords"/);
  });

  const settings = () => import("~/routes/app.settings");
  const exportsPage = () => import("~/routes/app.exports");
  const post = (path: string, fields: Record<string, string>) =>
    new Request(`${base}${path}`, { method: "POST", body: new URLSearchParams(fields) });

  it("Settings: a refused key is a 422 with a message; a good one connects; no answer holds a key", async () => {
    const { action, loader } = await settings();
    const refused = await action({
      request: post("/app/settings", { intent: "connect", service: "klaviyo", apiKey: "pk_wrong_1" }),
      params: {},
      context: {},
    });
    expect(refused.status).toBe(422);
    const refusedBody = await refused.text();
    expect(refusedBody).toMatch(/Klaviyo refused the key/);
    expect(refusedBody).not.toContain("pk_wrong_1");
    const malformed = await action({
      request: post("/app/settings", { intent: "connect", service: "klaviyo", apiKey: "not a key" }),
      params: {},
      context: {},
    });
    expect(malformed.status).toBe(422);
    const bad = await action({
      request: post("/app/settings", { intent: "connect", service: "sendgrid", apiKey: "x" }),
      params: {},
      context: {},
    });
    expect(bad.status).toBe(400);
    const ok = await action({
      request: post("/app/settings", { intent: "connect", service: "klaviyo", apiKey: KEY }),
      params: {},
      context: {},
    });
    expect(ok.status).toBe(200);
    const okBody = await ok.text();
    expect(okBody).toContain("Klaviyo connected (Stand-in Store)");
    expect(okBody).not.toContain(KEY);
    const page = await loader({ request: new Request(`${base}/app/settings`), params: {}, context: {} });
    expect(JSON.stringify(page)).not.toContain(KEY);
    expect(page.services.find((s) => s.service === "klaviyo")).toMatchObject({
      connected: true,
      account: "Stand-in Store",
    });
  });

  it("Settings: Mailchimp's audiences are listed once connected; one of them is chosen, another id refused", async () => {
    const { action, loader } = await settings();
    const call = (body: Record<string, string>) =>
      action({ request: post("/app/settings", body), params: {}, context: {} });
    expect((await call({ intent: "connect", service: "mailchimp", apiKey: MC_KEY })).status).toBe(200);
    const page = await loader({ request: new Request(`${base}/app/settings`), params: {}, context: {} });
    expect(page.audiences).toEqual([
      { id: "aud001", name: "Stand-in audience" },
      { id: "aud002", name: "Newsletter" },
    ]);
    expect(page.audienceId).toBeNull();
    expect(JSON.stringify(page)).not.toContain(MC_KEY);
    const refused = await call({ intent: "audience", service: "mailchimp", audienceId: "aud999" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/not one of the Mailchimp account's/);
    expect((await call({ intent: "audience", service: "mailchimp", audienceId: "" })).status).toBe(400);
    const chosen = await call({ intent: "audience", service: "mailchimp", audienceId: "aud002" });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).toContain("Newsletter");
    const after = await loader({ request: new Request(`${base}/app/settings`), params: {}, context: {} });
    expect(after.audienceId).toBe("aud002");
    // Reconnecting the same account keeps the choice.
    await call({ intent: "connect", service: "mailchimp", apiKey: MC_KEY });
    expect((await loader({ request: new Request(`${base}/app/settings`), params: {}, context: {} })).audienceId).toBe(
      "aud002",
    );
    expect((await call({ intent: "disconnect", service: "mailchimp" })).status).toBe(200);
  });

  it("CSV by signed URL: the page's action makes one; it expires, and a changed or another shop's is refused", async () => {
    const { action } = await exportsPage();
    const made = (await action({
      request: post("/app/exports", {
        intent: "download",
        segmentId: String(segmentId),
        fields: "customer_id,email",
        bom: "false",
      }),
      params: {},
      context: {},
    })) as Response;
    expect(made.status).toBe(200);
    const { url } = (await made.json()) as { url: string };
    expect(url).toMatch(/^\/exports\/download\/[\w-]+\.[\w-]+$/);
    const route = await import("~/routes/exports.download.$token");
    const open = async (token: string) =>
      route.loader({ request: new Request(`${base}/exports/download/${token}`), params: { token }, context: {} });
    const token = url.split("/").pop()!;
    const ok = await open(token);
    expect(ok.status).toBe(200);
    expect(parse(await ok.text())).toEqual([
      ["Customer ID", "Email"],
      ["1", "plain@example.com"],
      ["2", "'=evil@example.com"],
    ]);
    // Another shop named in the token (its signature no longer matches): refused.
    const [body, signature] = token.split(".");
    const grant = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"));
    const forged = Buffer.from(JSON.stringify({ ...grant, shop: "other.myshopify.com" })).toString("base64url");
    expect((await open(`${forged}.${signature}`)).status).toBe(403);
    // Tampered signature, and nonsense. The first character is changed: it carries six bits of the
    // signature, while the last carries four, so "…AA" for the last two decoded to the same bytes for
    // one signature in a thousand or so (a failure seen once).
    const tampered = `${signature![0] === "A" ? "B" : "A"}${signature!.slice(1)}`;
    expect((await open(`${body}.${tampered}`)).status).toBe(403);
    expect((await open("nonsense")).status).toBe(403);
    // Signed for another shop by us: that shop's segment of that id, never this one's.
    const { signDownload } = await import("~/export/download-token.server");
    const elsewhere = signDownload(
      { shop: "other.myshopify.com", segmentId, fields: ["email"], bom: false },
      { now: new Date() },
    );
    expect((await open(elsewhere)).status).toBe(404);
    // Expired.
    const old = signDownload(
      { shop: DEMO_SHOP, segmentId, fields: ["email"], bom: false },
      { now: new Date(Date.now() - 10 * 60_000) },
    );
    expect((await open(old)).status).toBe(410);
    // Bad input to the action: 400/422/404, never a 500.
    const bad = (body: Record<string, string>) =>
      action({ request: post("/app/exports", body), params: {}, context: {} }).then((r) => (r as Response).status);
    expect(await bad({ intent: "download", segmentId: "x", fields: "email" })).toBe(400);
    expect(await bad({ intent: "download", segmentId: String(segmentId), fields: "nope" })).toBe(422);
    expect(await bad({ intent: "download", segmentId: "999999", fields: "email" })).toBe(404);
  });

  it("Exports: queues a job (422 for a destination not connected, 400 for nonsense) and lists it", async () => {
    const { action, loader } = await import("~/routes/app.exports");
    const notConnected = await action({
      request: post("/app/exports", { intent: "export", segmentId: String(segmentId), target: "mailchimp" }),
      params: {},
      context: {},
    });
    expect((notConnected as Response).status).toBe(422);
    const nonsense = await action({
      request: post("/app/exports", { intent: "export", segmentId: "-1", target: "klaviyo" }),
      params: {},
      context: {},
    });
    expect((nonsense as Response).status).toBe(400);
    const missing = await action({
      request: post("/app/exports", { intent: "export", segmentId: "4242", target: "klaviyo" }),
      params: {},
      context: {},
    });
    expect((missing as Response).status).toBe(422);
    const started = await action({
      request: post("/app/exports", {
        intent: "export",
        segmentId: String(segmentId),
        target: "klaviyo",
        keepInSync: "true",
      }),
      params: {},
      context: {},
    });
    expect(started).toMatchObject({ ok: true });
    const page = await loader({ request: new Request(`${base}/app/exports`), params: {}, context: {} });
    expect(page.jobs[0]).toMatchObject({ segment: "VIP", target: "klaviyo" });
    expect(page.connected).toEqual(["klaviyo"]);
  });
});
