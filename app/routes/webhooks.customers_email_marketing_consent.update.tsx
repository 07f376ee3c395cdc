import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/sync/receive.server";

export const action = ({ request }: ActionFunctionArgs) =>
  receiveWebhook(request, "customers_email_marketing_consent/update");
