// The product (or collection) a purchase or browsing condition names. Inside Shopify admin, App
// Bridge's resource picker; in demo mode or outside the admin, our own search over the shop's
// products (/app/segment-values?kind=product) in a popover. Either way the merchant sees the title
// and the rule gets the numeric id; an id read from the query is looked up to show its title.
import { useFetcher } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { BlockStack, Box, Button, InlineError, InlineStack, Listbox, Popover, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { VocabularyEntry } from "~/domain/segments/vocabulary";
import { useVocabulary } from "./SuggestInput";

type Kind = "product" | "collection";

/** `gid://shopify/Product/123` -> `123`: the rule holds Shopify's numeric id. */
export function numericId(gid: string): string {
  return gid.slice(gid.lastIndexOf("/") + 1);
}

function useTitle(kind: Kind, id: string): string | undefined {
  const fetcher = useFetcher<{ found?: boolean; entry?: VocabularyEntry }>();
  useEffect(() => {
    if (/^[0-9]+$/.test(id)) fetcher.load(`/app/segment-values?kind=${kind}&check=${encodeURIComponent(id)}`);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind, id]);
  const entry = fetcher.data?.found ? fetcher.data.entry : undefined;
  return entry && entry.value === id && entry.label !== id ? entry.label : undefined;
}

export function ResourceInput(props: {
  label: string;
  kind: Kind;
  value: string;
  embedded: boolean;
  error?: string;
  onChange: (id: string) => void;
}) {
  const { label, kind, value, embedded, error, onChange } = props;
  const [picked, setPicked] = useState<{ id: string; title: string } | null>(null);
  const looked = useTitle(kind, picked?.id === value ? "" : value);
  const title = picked?.id === value ? picked.title : looked;
  const choose = (id: string, name: string) => {
    setPicked({ id, title: name });
    onChange(id);
  };
  const noun = kind === "product" ? "product" : "collection";
  const errorId = `${label.replace(/[^a-z0-9]+/gi, "-")}-error`;
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" fontWeight={value ? "medium" : "regular"} tone={value ? undefined : "subdued"}>
          <span data-picked-resource={value}>{value ? (title ?? `${noun} ${value}`) : `No ${noun} chosen`}</span>
        </Text>
        {embedded ? (
          <AdminPicker kind={kind} label={label} chosen={value !== ""} onChoose={choose} />
        ) : (
          <SearchPicker kind={kind} label={label} chosen={value !== ""} onChoose={choose} />
        )}
      </InlineStack>
      {error ? <InlineError message={error} fieldID={errorId} /> : null}
    </BlockStack>
  );
}

type PickerProps = { kind: Kind; label: string; chosen: boolean; onChoose: (id: string, title: string) => void };

function AdminPicker({ kind, label, chosen, onChoose }: PickerProps) {
  const shopify = useAppBridge();
  const open = async () => {
    const selection = await shopify.resourcePicker({ type: kind, action: "select", multiple: false });
    const first = selection?.[0] as { id: string; title?: string } | undefined;
    if (first) onChoose(numericId(first.id), first.title ?? numericId(first.id));
  };
  return (
    <Button onClick={() => void open()} accessibilityLabel={`${chosen ? "Change" : `Choose ${kind}`} (${label})`}>
      {chosen ? "Change" : `Choose ${kind}`}
    </Button>
  );
}

function SearchPicker({ kind, label, chosen, onChoose }: PickerProps) {
  const [active, setActive] = useState(false);
  const [typed, setTyped] = useState("");
  const results = useVocabulary(kind, typed, active);
  return (
    <Popover
      active={active}
      onClose={() => setActive(false)}
      autofocusTarget="first-node"
      preferredAlignment="left"
      activator={
        // The visible words lead the accessible name (WCAG 2.5.3), the field's label follows.
        <Button
          onClick={() => setActive((a) => !a)}
          accessibilityLabel={`${chosen ? "Change" : `Choose ${kind}`} (${label})`}
          disclosure
        >
          {chosen ? "Change" : `Choose ${kind}`}
        </Button>
      }
    >
      <Box padding="300" minWidth="320px">
        <BlockStack gap="200">
          <TextField
            label={`Search ${kind}s`}
            value={typed}
            onChange={setTyped}
            autoComplete="off"
            placeholder={kind === "product" ? "Title or ID" : "Collection ID"}
          />
          {results.length > 0 ? (
            <Listbox
              accessibilityLabel={`${kind === "product" ? "Products" : "Collections"} matching the search`}
              onSelect={(id) => {
                const entry = results.find((r) => r.value === id);
                onChoose(id, entry?.label ?? id);
                setActive(false);
              }}
            >
              {results.map((r) => (
                <Listbox.Option key={r.value} value={r.value} accessibilityLabel={r.label}>
                  <Listbox.TextOption>{r.label}</Listbox.TextOption>
                </Listbox.Option>
              ))}
            </Listbox>
          ) : (
            <Text as="p" tone="subdued">
              {typed ? `No ${kind} matches “${typed}”.` : "Type to search."}
            </Text>
          )}
        </BlockStack>
      </Box>
    </Popover>
  );
}
