// Duplicating a segment from its page: posts to the duplicate route, then toasts and lands on the copy.
import { useFetcher, useNavigate } from "@remix-run/react";
import { useEffect } from "react";
import { useToast } from "~/components/toast";

type DuplicateResult = { ok: true; id: number; message: string } | { ok: false; error: string };

export function useDuplicateSegment(id: number) {
  const fetcher = useFetcher<DuplicateResult>();
  const navigate = useNavigate();
  const toast = useToast();
  useEffect(() => {
    // Only once the fetcher is idle: a move begun while its revalidation is still under way can be
    // overtaken by that revalidation's (older) data.
    if (!fetcher.data || fetcher.state !== "idle") return;
    if (!fetcher.data.ok) {
      toast(fetcher.data.error, { isError: true });
      return;
    }
    toast(fetcher.data.message);
    navigate(`/app/segments/${fetcher.data.id}`);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data, fetcher.state]);
  return {
    busy: fetcher.state !== "idle",
    duplicate: () => fetcher.submit({}, { method: "post", action: `/app/segments/${id}/duplicate` }),
  };
}
