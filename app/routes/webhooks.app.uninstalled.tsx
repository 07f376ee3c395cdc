import type { ActionFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { markUninstalled } from "~/services/install.server";
import { authenticate } from "~/shopify.server";

// authenticate.webhook answers 401 itself when the HMAC is wrong.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  // Delivered at least once, possibly after a previous delivery already ran: both steps are idempotent.
  await markUninstalled(db, { shop, at: new Date() });
  return new Response();
};
