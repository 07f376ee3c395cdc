import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/sync/receive.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "customer.tags_removed");
