// Export jobs in the background: claim, run, repeat (one runner per process; the lease keeps two
// processes off the same job), and every few seconds queue a sync run for each segment kept in sync
// whose membership events moved past its cursor. Started with the app's background work
// (app/sync/worker.server.ts); the CLI drains jobs itself (`tailored export`).
import type { Executor } from "~/db/database.server";
import type { AdminClient } from "~/sync/admin-client.server";
import { chosenList, clientFor, type ClientOptions } from "./credentials.server";
import {
  klaviyoAdapter,
  mailchimpAdapter,
  shopifyMetafieldAdapter,
  shopifyTagsAdapter,
  type Adapter,
} from "./destinations.server";
import { claimJob, finishJob, listsCreatedSince, queueJob, syncsDue, type ExportJob } from "./jobs.server";
import type { KlaviyoClient } from "./klaviyo.server";
import type { MailchimpClient } from "./mailchimp.server";
import { runJob, type RunOptions } from "./runner.server";

export const LEASE_MS = 60_000;

export type AdapterFactory = (job: ExportJob) => Promise<Adapter>;

/** The adapter for a job's target, from the shop's stored credentials (or its Shopify session). */
export function adapterFactory(
  db: Executor,
  {
    now = () => new Date(),
    clientOptions = {},
    adminClient,
    batchSize,
  }: {
    now?: () => Date;
    clientOptions?: ClientOptions;
    adminClient: (shop: string) => Promise<AdminClient>;
    /** Members a batch (tests; each adapter has its own default). */
    batchSize?: number;
  },
): AdapterFactory {
  const sized = (adapter: Adapter): Adapter => (batchSize ? { ...adapter, batchSize } : adapter);
  return async (job) => sized(await make(job));
  async function make(job: ExportJob): Promise<Adapter> {
    if (job.target === "shopify-tags") return shopifyTagsAdapter(await adminClient(job.shop), clientOptions.sleep);
    if (job.target === "shopify-metafield")
      return shopifyMetafieldAdapter(await adminClient(job.shop), clientOptions.sleep);
    const client = await clientFor(db, { shop: job.shop, service: job.target, options: clientOptions });
    if (job.target === "klaviyo") {
      const day = new Date(Math.floor(now().getTime() / 86_400_000) * 86_400_000);
      return klaviyoAdapter(client as KlaviyoClient, {
        now,
        listsCreatedToday: () => listsCreatedSince(db, { shop: job.shop, target: "klaviyo", since: day }),
      });
    }
    return mailchimpAdapter(client as MailchimpClient, {
      audienceId: (await chosenList(db, { shop: job.shop, service: "mailchimp" })) ?? undefined,
    });
  }
}

/** Runs claimable jobs until none is left (of `shop`, when given); returns the jobs as they ended. */
export async function drainJobs(
  db: Executor,
  { adapters, shop, ...options }: Partial<RunOptions> & { adapters: AdapterFactory; shop?: string },
): Promise<ExportJob[]> {
  const now = options.now ?? (() => new Date());
  const ended: ExportJob[] = [];
  for (;;) {
    const job = await claimJob(db, { now: now(), leaseMs: options.leaseMs ?? LEASE_MS, shop });
    if (!job) return ended;
    let adapter: Adapter;
    try {
      adapter = await adapters(job);
    } catch (error) {
      await finishJob(db, job, {
        status: "failed",
        now: now(),
        error: { customerId: null, code: "setup", message: error instanceof Error ? error.message : String(error) },
      });
      ended.push({ ...job, status: "failed" });
      continue;
    }
    const result = await runJob(db, job, adapter, {
      now,
      leaseMs: options.leaseMs ?? LEASE_MS,
      onBatch: options.onBatch,
      maxAttempts: options.maxAttempts,
    });
    ended.push(result);
    // A retryable failure leaves the job running with a lease to run out: not claimable again in this loop.
  }
}

/** Queues a sync run for every segment kept in sync that has new membership events. */
export async function queueDueSyncs(db: Executor, now: Date): Promise<number> {
  let queued = 0;
  for (const due of await syncsDue(db)) {
    const { created } = await queueJob(db, { ...due, mode: "sync", now });
    if (created) queued++;
  }
  return queued;
}

let running: Promise<unknown> | null = null;
let again = false;

/** One pass (queue due syncs, drain jobs), never two at once in this process. */
export function kickExports(db: Executor, adapters: AdapterFactory, onError: (error: unknown) => void): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    await queueDueSyncs(db, new Date());
    await drainJobs(db, { adapters });
  })()
    .catch(onError)
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        kickExports(db, adapters, onError);
      }
    });
}

export function startExportWork(
  db: Executor,
  adapters: AdapterFactory,
  onError: (error: unknown) => void,
  everyMs = 10_000,
): void {
  const timer = setInterval(() => kickExports(db, adapters, onError), everyMs);
  timer.unref();
}
