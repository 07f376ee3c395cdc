// Export and privacy: the email tools' credentials, segment exports (a CSV file, or a job to Klaviyo,
// Mailchimp or Shopify tags, run here to its end), and the compliance reports.
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { CommandError, requireShop, str, UsageError, type CliCommand, type CliContext } from "../command";

const destinations: CliCommand = {
  name: "destinations",
  usage: `  destinations connect --shop DOMAIN --service klaviyo|mailchimp --api-key KEY|- [--json]
        check an email tool's API key with the service and store it encrypted (TAILORED_ENCRYPTION_KEY);
        "-" reads the key from stdin, keeping it out of the process list
  destinations list --shop DOMAIN [--json]
  destinations disconnect --shop DOMAIN --service klaviyo|mailchimp [--json]
  destinations rekey [--json]
        seal every stored key again with TAILORED_ENCRYPTION_KEY (after a rotation; the old key in
        TAILORED_ENCRYPTION_KEY_PREVIOUS)`,
  options: { shop: { type: "string" }, service: { type: "string" }, "api-key": { type: "string" } },
  database: (sub) => (sub === "list" ? "read" : "write"),
  async run({ db, values, positionals, out, env }) {
    const { connectDestination, CredentialsError, disconnectDestination, isService, listDestinations, resealAll } =
      await import("~/export/credentials.server");
    const { SecretsError } = await import("~/export/secrets.server");
    const sub = positionals[0];
    if (sub === "rekey") {
      const n = await resealAll(db, env);
      out.print({ resealed: n }, `${n} stored key${n === 1 ? "" : "s"} sealed with the current key`);
      return 0;
    }
    const shop = requireShop(values.shop);
    if (sub === "list") {
      const list = await listDestinations(db, { shop });
      out.print(
        { shop, destinations: list.map((d) => ({ ...d, connectedAt: d.connectedAt?.toISOString() ?? null })) },
        list.map((d) => `${d.service}\t${d.account ?? ""}\t${d.connectedAt?.toISOString() ?? ""}`).join("\n") ||
          "none connected",
      );
      return 0;
    }
    const service = str(values, "service");
    if (!isService(service)) throw new UsageError("--service must be klaviyo or mailchimp");
    if (sub === "disconnect") {
      const removed = await disconnectDestination(db, { shop, service });
      out.print({ shop, service, removed }, removed ? `${service} disconnected` : `${service} was not connected`);
      return 0;
    }
    if (sub !== "connect")
      throw new UsageError(`destinations ${sub ?? ""}: expected connect, list, disconnect or rekey`);
    let apiKey = str(values, "api-key");
    if (apiKey === "-") apiKey = fs.readFileSync(0, "utf8").trim();
    if (!apiKey) throw new UsageError("destinations connect needs --api-key KEY (or - to read it from stdin)");
    try {
      const connected = await connectDestination(db, { shop, service, apiKey, now: new Date(), options: { env } });
      out.print(
        { shop, service, account: connected.account, connected: true },
        `${service} connected${connected.account ? ` (${connected.account})` : ""}`,
      );
    } catch (error) {
      if (error instanceof CredentialsError || error instanceof SecretsError) throw new CommandError(error.message);
      throw error;
    }
    return 0;
  },
};

const exportCommand: CliCommand = {
  name: "export",
  usage: `  export --shop DOMAIN --segment ID --to csv --out FILE [--fields a,b,…] [--bom] [--json]
        a segment's members as CSV (fields: customer_id, email, first_name, last_name, country, province,
        city, tags, email_marketing, sms_marketing, customer_since, number_of_orders, amount_spent,
        average_order_value, first_order_date, last_order_date, rfm_group, lifecycle_stage)
  export --shop DOMAIN --segment ID --to klaviyo|mailchimp|shopify-tags|shopify-metafield [--sync] [--json]
        run an export job to its end and print its counts; --sync keeps the segment in sync from now on
        (the first run sends every member, later ones the membership changes since the last)`,
  options: {
    shop: { type: "string" },
    segment: { type: "string" },
    to: { type: "string" },
    out: { type: "string" },
    fields: { type: "string" },
    bom: { type: "boolean", default: false },
    sync: { type: "boolean", default: false },
  },
  database: "write",
  check(values) {
    requireShop(values.shop);
    const to = values.to;
    if (!["csv", "klaviyo", "mailchimp", "shopify-tags", "shopify-metafield"].includes(String(to))) {
      throw new UsageError("--to must be csv, klaviyo, mailchimp, shopify-tags or shopify-metafield");
    }
    if (to === "csv" && typeof values.out !== "string") throw new UsageError("--to csv needs --out FILE");
    if (to === "csv" && values.sync)
      throw new UsageError("--sync is for klaviyo, mailchimp, shopify-tags and shopify-metafield");
  },
  run: runExport,
};

async function runExport({ db, values, out, env }: CliContext): Promise<number> {
  const { parseSegmentId } = await import("~/domain/segments/segment-id");
  const { segmentRef } = await import("~/export/members.server");
  const shop = requireShop(values.shop);
  const segmentId = parseSegmentId(str(values, "segment"));
  if (segmentId === null) throw new UsageError("--segment must be a segment id");
  const segment = await segmentRef(db, { shop, id: segmentId });
  if (!segment) throw new CommandError(`${shop} has no segment ${segmentId}`);
  const to = str(values, "to")!;
  if (to === "csv") {
    const { parseFields } = await import("~/export/csv");
    const { csvNodeStream } = await import("~/export/csv-stream.server");
    const fields = parseFields(str(values, "fields"));
    if (!fields.ok) throw new UsageError(fields.error);
    const file = str(values, "out")!;
    await pipeline(
      csvNodeStream(db, { shop, segmentId, fields: fields.fields, bom: values.bom === true, now: new Date() }),
      fs.createWriteStream(file),
    );
    out.print(
      { shop, segment: segmentId, to, file, members: segment.memberCount },
      `wrote ${segment.memberCount} members to ${file}`,
    );
    return 0;
  }
  const { isTarget, JobInputError, queueJob, segmentSync, getJob } = await import("~/export/jobs.server");
  const { adapterFactory, drainJobs } = await import("~/export/worker.server");
  if (!isTarget(to)) throw new UsageError("--to must be csv, klaviyo, mailchimp, shopify-tags or shopify-metafield");
  const existing = await segmentSync(db, { shop, segmentId, target: to });
  const mode = values.sync && existing?.remoteId ? "sync" : "full";
  let queued;
  try {
    queued = await queueJob(db, {
      shop,
      segmentId,
      target: to,
      mode,
      now: new Date(),
      keepInSync: values.sync ? true : undefined,
    });
  } catch (error) {
    if (error instanceof JobInputError) throw new CommandError(error.message);
    throw error;
  }
  await drainJobs(db, {
    shop,
    adapters: adapterFactory(db, { clientOptions: { env }, adminClient: (s) => cliAdminClient(db, s, env) }),
  });
  const job = (await getJob(db, { shop, id: queued.job.id }))!;
  const counts = {
    job: job.id,
    shop,
    segment: segmentId,
    to,
    mode: job.mode,
    status: job.status,
    sent: job.sent,
    skipped: job.skipped,
    failed: job.failed,
    errors: job.errors,
  };
  // The counts as JSON, whatever --json says: the issue's contract for this command.
  out.print(counts, JSON.stringify(counts));
  return job.status === "done" ? 0 : 1;
}

/** The shop's offline token from its stored session, for an Admin client the CLI can build without Shopify's library. */
async function cliAdminClient(db: CliContext["db"], shop: string, env: NodeJS.ProcessEnv) {
  const { AdminClient, adminOriginFromEnv } = await import("~/sync/admin-client.server");
  const session = await db.prisma.session.findFirst({
    where: { shop, isOnline: false },
    select: { accessToken: true },
  });
  if (!session?.accessToken) throw new CommandError(`${shop} has no offline access token: is the app installed?`);
  return new AdminClient({ shop, accessToken: session.accessToken, origin: adminOriginFromEnv(env, shop) });
}

const privacy: CliCommand = {
  name: "privacy",
  usage: `  privacy report --shop DOMAIN --customer ID [--json]
        the newest customers/data_request report about a customer, for the merchant to pass on
  privacy deletions --shop DOMAIN [--json]
        customers/redact's deletion requests to the email tools, and where each stands`,
  options: { shop: { type: "string" }, customer: { type: "string" } },
  database: "read",
  check: (values) => void requireShop(values.shop),
  async run({ db, values, positionals, out }) {
    const shop = requireShop(values.shop);
    const sub = positionals[0];
    if (sub === "report") {
      const customer = str(values, "customer");
      if (!customer || !/^[0-9]{1,20}$/.test(customer))
        throw new UsageError("--customer must be a Shopify customer id");
      const { getReport } = await import("~/export/privacy-report.server");
      const report = await getReport(db, { shop, customerId: customer });
      if (!report) throw new CommandError(`no data request report about customer ${customer} is kept for ${shop}`);
      out.print(report as Record<string, unknown>, JSON.stringify(report, null, 2));
      return 0;
    }
    if (sub === "deletions") {
      const { listDeletions } = await import("~/export/deletions.server");
      const rows = await listDeletions(db, { shop });
      out.print(
        {
          shop,
          deletions: rows.map((r) => ({
            ...r,
            createdAt: r.createdAt?.toISOString() ?? null,
            doneAt: r.doneAt?.toISOString() ?? null,
          })),
        },
        rows.map((r) => `${r.id}\t${r.service}\t${r.status}\t${r.attempts}\t${r.lastError ?? ""}`).join("\n") || "none",
      );
      return 0;
    }
    throw new UsageError(`privacy ${sub ?? ""}: expected report or deletions`);
  },
};

export const exportCommands: CliCommand[] = [destinations, exportCommand, privacy];
