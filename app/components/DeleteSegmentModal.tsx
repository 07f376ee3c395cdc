// Deleting a segment, confirmed in a Polaris Modal. The fetcher posts to the delete route; the pages
// that show a segment do not revalidate after it (their loaders would 404), they move to the list.
import { useFetcher, useNavigate } from "@remix-run/react";
import { BlockStack, Modal, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { LEAVE_WITHOUT_ASKING } from "~/components/LeaveConfirmation";
import { useToast } from "~/components/toast";

type DeleteResult = { ok: true; message: string } | { ok: false; error: string };

export function DeleteSegmentModal({
  id,
  name,
  open,
  onClose,
}: {
  id: number;
  name: string;
  open: boolean;
  onClose: () => void;
}) {
  const fetcher = useFetcher<DeleteResult>();
  const navigate = useNavigate();
  const toast = useToast();
  useEffect(() => {
    if (!fetcher.data?.ok) return;
    toast(fetcher.data.message);
    // The segment is gone: whatever was being edited in it has nothing left to be saved to.
    navigate("/app/segments", { state: LEAVE_WITHOUT_ASKING });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={`Delete “${name}”?`}
      primaryAction={{
        content: "Delete segment",
        destructive: true,
        loading: fetcher.state !== "idle",
        onAction: () => fetcher.submit({}, { method: "post", action: `/app/segments/${id}/delete` }),
      }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="200">
          <Text as="p">
            The segment, its list of members and its size history are removed. The customers themselves are not changed.
          </Text>
          {fetcher.data && !fetcher.data.ok ? (
            <Text as="p" tone="critical">
              {fetcher.data.error}
            </Text>
          ) : null}
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}

/**
 * For the routes that show one segment: after its deletion their loaders would only 404, and after its
 * duplication the page moves to the copy. Revalidating there raced the move: under load the old
 * segment's data landed after the copy's and the copy's address showed the original.
 */
export function skipRevalidationBeforeLeaving({
  formAction,
  defaultShouldRevalidate,
}: {
  formAction?: string;
  defaultShouldRevalidate: boolean;
}): boolean {
  return formAction?.endsWith("/delete") || formAction?.endsWith("/duplicate") ? false : defaultShouldRevalidate;
}
