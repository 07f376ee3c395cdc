// The campaign pages' loaders and actions, called directly with real requests (demo mode): create with
// field errors and sanitizing, the list with the theme editor links, the preview as a chosen customer,
// the detail with its uplift, edit and delete.
/* eslint-disable no-script-url -- a script URL is the input being refused */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { stubDemoEnv } from "../helpers/demo-env";
import { migrate } from "~/db/migrate.server";
import { ROOT } from "../helpers/env";
import { PEOPLE, storefrontShop } from "../helpers/storefront";
import { NEW_CAMPAIGN } from "~/domain/campaign-form";

const SHOP = "tailored-demo.myshopify.com";
type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
const post = (path: string, fields: Record<string, string>) =>
  new Request(`http://localhost:3000${path}`, { method: "POST", body: new URLSearchParams(fields) });
const get = (path: string) => new Request(`http://localhost:3000${path}`);

describe("Campaign pages (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  let segments: { repeat: number; big: number };
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await migrate(database.config, ROOT);
    stubDemoEnv(database.url);
    vi.resetModules();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    ({ db } = await import("~/db.server"));
    segments = await storefrontShop(db, SHOP, new Date());
  });
  afterAll(async () => {
    await db.close();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    vi.unstubAllEnvs();
    await database.drop();
  });

  const call = async <T>(fn: (args: Args) => Promise<T>, request: Request, params: Record<string, string> = {}) => {
    try {
      return await fn({ request, params, context: {} });
    } catch (thrown) {
      if (thrown instanceof Response) return thrown as unknown as T;
      throw thrown;
    }
  };

  let id = 0;
  it("refuses a form with mistakes (400, a message per field) and saves a good one sanitized", async () => {
    const { action } = await import("~/routes/app.campaigns.new");
    const bad = (await call(
      action as never,
      post("/app/campaigns/new", {
        ...NEW_CAMPAIGN,
        holdoutPercent: "75",
        buttonLabel: "Go",
        buttonLink: "javascript:alert(1)",
      }),
    )) as Response;
    expect(bad.status).toBe(400);
    const errors = ((await bad.json()) as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual(["buttonLink", "headline", "holdoutPercent", "name"]);
    const good = (await call(
      action as never,
      post("/app/campaigns/new", {
        ...NEW_CAMPAIGN,
        name: "Regulars",
        status: "active",
        segmentId: String(segments.repeat),
        headline: "Hello <img src=x onerror=alert(1)>again",
        bodyHtml: `<p style="x" onmouseover="steal()">Thanks</p><script>alert(1)</script>`,
        holdoutPercent: "0",
      }),
    )) as Response;
    const saved = (await good.json()) as { ok: boolean; id: number; redirectTo: string };
    expect(saved).toMatchObject({ ok: true });
    id = saved.id;
    const row = await db.prisma.campaign.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ headline: "Hello again", bodyHtml: "<p>Thanks</p>", segmentId: segments.repeat });
    const unknownSegment = (await call(
      action as never,
      post("/app/campaigns/new", { ...NEW_CAMPAIGN, name: "x", headline: "x", segmentId: "99999" }),
    )) as Response;
    expect(unknownSegment.status).toBe(422);
  });

  it("lists campaigns with their audience and the theme editor links", async () => {
    const { loader } = await import("~/routes/app.campaigns._index");
    const data = (await call(loader as never, get("/app/campaigns"))) as Awaited<ReturnType<typeof loader>>;
    expect(data.campaigns).toEqual([
      expect.objectContaining({ id, name: "Regulars", status: "active", audience: "Zephyr Loyalists" }),
    ]);
    expect(data.links.banner).toBe(
      "https://tailored-demo.myshopify.com/admin/themes/current/editor?template=index&addAppBlockId=k%2Fpersonalized-banner&target=newAppsSection",
    );
    expect(data.links.recommendations).toContain(
      "template=product&addAppBlockId=k%2Frecommendations&target=mainSection",
    );
  });

  it("previews the banner sanitized, and what a chosen customer sees", async () => {
    const { action } = await import("~/routes/app.campaigns.preview");
    const form = {
      ...NEW_CAMPAIGN,
      segmentId: String(segments.big),
      priority: "1",
      headline: "Big",
      bodyHtml: "<b>hi</b><script>x</script>",
    };
    const preview = async (customer: string, campaignId = "") =>
      (await (
        (await call(
          action as never,
          post("/app/campaigns/preview", { ...form, previewCustomer: customer, campaignId }),
        )) as Response
      ).json()) as { ok: boolean; banner: { bodyHtml: string }; asCustomer: { sees: string; message: string } | null };
    const none = await preview("");
    expect(none.banner.bodyHtml).toBe("<b>hi</b>");
    expect(none.asCustomer).toBeNull();
    expect((await preview(PEOPLE.big.id)).asCustomer).toMatchObject({ sees: "this" });
    // In both segments: this draft (priority 1) outranks the saved campaign (priority 0).
    expect((await preview(PEOPLE.several.id)).asCustomer).toMatchObject({ sees: "this" });
    expect((await preview(PEOPLE.none.id)).asCustomer).toMatchObject({ sees: "fallback" });
    expect((await preview("123456789")).asCustomer!.message).toMatch(/anonymous visitor/);
    const bad = (await call(
      action as never,
      post("/app/campaigns/preview", { ...form, textColor: "red" }),
    )) as Response;
    expect(bad.status).toBe(400);
  });

  it("shows the campaign with its uplift, edits it, and deletes it", async () => {
    const page = await import("~/routes/app.campaigns.$id");
    const data = (await call(page.loader as never, get(`/app/campaigns/${id}`), { id: String(id) })) as Awaited<
      ReturnType<typeof page.loader>
    >;
    expect(data.fields).toMatchObject({ name: "Regulars", headline: "Hello again" });
    expect(data.uplift.verdict).toBe("not-enough-data");
    expect(data.uplift.message).toMatch(/^Not enough data yet/);
    expect(((await call(page.loader as never, get(`/app/campaigns/999`), { id: "999" })) as Response).status).toBe(404);
    expect(((await call(page.loader as never, get(`/app/campaigns/x`), { id: "x" })) as Response).status).toBe(404);
    const edited = (await call(
      page.action as never,
      post(`/app/campaigns/${id}`, { ...data.fields, headline: "Edited" }),
      { id: String(id) },
    )) as Response;
    expect(((await edited.json()) as { ok: boolean }).ok).toBe(true);
    expect((await db.prisma.campaign.findUniqueOrThrow({ where: { id } })).headline).toBe("Edited");
    const invalid = (await call(
      page.action as never,
      post(`/app/campaigns/${id}`, { ...data.fields, endsAt: "2020-01-01", startsAt: "2021-01-01" }),
      { id: String(id) },
    )) as Response;
    expect(invalid.status).toBe(400);
    const deleted = (await call(page.action as never, post(`/app/campaigns/${id}`, { intent: "delete" }), {
      id: String(id),
    })) as Response;
    expect(deleted.status).toBe(302);
    expect(await db.prisma.campaign.count({ where: { id } })).toBe(0);
  });

  it("refuses a cross-site write in demo mode (403)", async () => {
    const { action } = await import("~/routes/app.campaigns.new");
    const request = new Request("http://localhost:3000/app/campaigns/new", {
      method: "POST",
      body: new URLSearchParams({ name: "x", headline: "y" }),
      headers: { origin: "https://evil.example", host: "localhost:3000" },
    });
    expect(((await call(action as never, request)) as Response).status).toBe(403);
  });
});
