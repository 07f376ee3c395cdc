// The app's URL opened outside Shopify admin: Shopify sends ?shop=… on install, which goes to the app;
// in demo mode the admin opens directly; otherwise, the login form.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { isDemoMode } from "~/demo/mode.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop") || isDemoMode()) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect("/auth/login");
};
