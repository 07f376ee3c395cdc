// The Segments list's bulk delete, confirmed in a Polaris Modal naming what goes. The fetcher posts
// the selected ids to the list's action, which removes them in one transaction with their members and
// history; the list revalidates and the selection is cleared.
import { useFetcher } from "@remix-run/react";
import { BlockStack, List, Modal, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { useToast } from "~/components/toast";

type BulkDeleteResult = { ok: true; message: string } | { ok: false; error: string };

/** The names shown in the confirmation; past these, "and N more". */
const NAMES_SHOWN = 10;

export function BulkDeleteSegmentsModal({
  open,
  selected,
  onClose,
  onDeleted,
}: {
  open: boolean;
  selected: { id: number; name: string }[];
  onClose: () => void;
  onDeleted: () => void;
}) {
  const fetcher = useFetcher<BulkDeleteResult>();
  const toast = useToast();
  useEffect(() => {
    if (!fetcher.data?.ok) return;
    toast(fetcher.data.message);
    onDeleted();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  const n = selected.length;
  const submit = () => {
    const form = new FormData();
    form.set("intent", "delete");
    for (const s of selected) form.append("id", String(s.id));
    fetcher.submit(form, { method: "post", action: "/app/segments?index" });
  };
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={n === 1 ? `Delete “${selected[0]!.name}”?` : `Delete ${n} segments?`}
      primaryAction={{
        content: n === 1 ? "Delete segment" : `Delete ${n} segments`,
        destructive: true,
        disabled: n === 0,
        loading: fetcher.state !== "idle",
        onAction: submit,
      }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="200">
          {n > 1 ? (
            <List type="bullet">
              {selected.slice(0, NAMES_SHOWN).map((s) => (
                <List.Item key={s.id}>{s.name}</List.Item>
              ))}
              {n > NAMES_SHOWN ? <List.Item>and {n - NAMES_SHOWN} more</List.Item> : null}
            </List>
          ) : null}
          <Text as="p">
            {n === 1
              ? "The segment, its list of members and its size history are"
              : "These segments, their lists of members and their size histories are"}{" "}
            removed. The customers themselves are not changed.
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
