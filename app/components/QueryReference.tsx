// The query reference: every attribute and function the language knows (generated from the registry,
// app/domain/segments/reference.ts), with its description, type, operators and an example to insert;
// searchable, Tailored's own marked. A Polaris Modal, which takes the whole screen on a phone.
import { Badge, BlockStack, Box, Button, Divider, InlineStack, Modal, Text, TextField } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { REFERENCE, searchReference, type ReferenceEntry } from "~/domain/segments/reference";

const code = { fontFamily: "var(--p-font-family-mono)", fontSize: "13px", overflowWrap: "anywhere" } as const;

function Entry({ entry, onInsert }: { entry: ReferenceEntry; onInsert: (example: string) => void }) {
  return (
    <BlockStack gap="150">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          <span style={code}>{entry.name}</span>
        </Text>
        {entry.kind === "function" ? <Badge>Filter</Badge> : null}
        {entry.extension ? <Badge tone="info">Tailored only</Badge> : null}
      </InlineStack>
      <Text as="p">{entry.description}</Text>
      <Text as="p" tone="subdued" variant="bodySm">
        {entry.kind === "function" ? "Filters" : `Type: ${entry.type}. Operators`}:{" "}
        <span style={code}>
          {entry.kind === "function" ? entry.params.map((p) => p.name).join(", ") : entry.operators.join(", ")}
        </span>
      </Text>
      <InlineStack gap="200" blockAlign="center" wrap>
        <span
          style={{ ...code, padding: "2px 6px", background: "var(--p-color-bg-surface-secondary)", borderRadius: 4 }}
        >
          {entry.example}
        </span>
        <Button
          size="slim"
          onClick={() => onInsert(entry.example)}
          accessibilityLabel={`Insert example for ${entry.name}`}
        >
          Insert
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

export function QueryReference({ onInsert }: { onInsert: (example: string) => void }) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const found = useMemo(() => searchReference(REFERENCE, search), [search]);
  return (
    <>
      <Button variant="plain" onClick={() => setOpen(true)}>
        Query reference
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title="Query reference" size="large">
        <Modal.Section>
          <BlockStack gap="400">
            <TextField
              label="Search attributes and filters"
              value={search}
              onChange={setSearch}
              autoComplete="off"
              clearButton
              onClearButtonClick={() => setSearch("")}
              placeholder="e.g. order date, tag, vendor"
            />
            <Text as="p" tone="subdued">
              Conditions join with AND and OR, NOT turns one around, and parentheses group them. Text goes in single
              quotes; dates are written -30d (30 days ago), today or 2025-01-31.
            </Text>
            {found.length === 0 ? (
              <Text as="p">Nothing matches “{search}”.</Text>
            ) : (
              <div data-query-reference="">
                {found.map((entry, i) => (
                  <Box key={entry.name} paddingBlockStart={i === 0 ? "0" : "300"}>
                    {i > 0 ? (
                      <Box paddingBlockEnd="300">
                        <Divider />
                      </Box>
                    ) : null}
                    <Entry
                      entry={entry}
                      onInsert={(example) => {
                        setOpen(false);
                        onInsert(example);
                      }}
                    />
                  </Box>
                ))}
              </div>
            )}
          </BlockStack>
        </Modal.Section>
      </Modal>
    </>
  );
}
