// Downloading a segment as CSV from any page: asks the Exports action for a short-lived signed URL
// (a plain link to an app route has no session inside Shopify admin's iframe), then opens it in a new
// window, where App Bridge lets it out of the iframe and the browser saves the file.
import { useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";

type DownloadAnswer = { ok: boolean; url?: string; error?: string };

export function useCsvDownload() {
  const fetcher = useFetcher<DownloadAnswer>();
  const opened = useRef<string | null>(null);
  useEffect(() => {
    const url = fetcher.data?.url;
    if (fetcher.state === "idle" && url && opened.current !== url) {
      opened.current = url;
      window.open(url, "_blank");
    }
  }, [fetcher.state, fetcher.data]);
  return {
    busy: fetcher.state !== "idle",
    /** The last request's error, once it is answered. */
    error:
      fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? (fetcher.data.error ?? "Download failed") : null,
    start: ({ segmentId, fields, bom }: { segmentId: number | string; fields: readonly string[]; bom: boolean }) =>
      fetcher.submit(
        { intent: "download", segmentId: String(segmentId), fields: fields.join(","), bom: String(bom) },
        { method: "post", action: "/app/exports" },
      ),
  };
}
