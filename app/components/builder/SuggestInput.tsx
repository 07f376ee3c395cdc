// A text field that suggests the shop's own values as the merchant types (product types, vendors,
// tags, countries, regions, cities, clusters): Polaris Combobox + Listbox over /app/segment-values,
// asked a fifth of a second after typing stops. Any text can still be typed; a suggestion is a
// shortcut, not a limit (a tag the shop does not use yet is a valid rule).
import { useFetcher } from "@remix-run/react";
import { Combobox, Listbox, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { VocabularyEntry, VocabularyKind } from "~/domain/segments/vocabulary";

export const SUGGEST_DELAY_MS = 200;

export function useVocabulary(kind: VocabularyKind, typed: string, enabled: boolean): VocabularyEntry[] {
  const fetcher = useFetcher<{ values?: VocabularyEntry[] }>();
  useEffect(() => {
    if (!enabled) return;
    const timer = setTimeout(
      () => fetcher.load(`/app/segment-values?kind=${kind}&q=${encodeURIComponent(typed)}&limit=20`),
      SUGGEST_DELAY_MS,
    );
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind, typed, enabled]);
  return fetcher.data?.values ?? [];
}

export function SuggestInput(props: {
  label: string;
  kind: VocabularyKind;
  value: string;
  error?: string;
  placeholder?: string;
  onChange: (value: string) => void;
}) {
  const { label, kind, value, error, placeholder, onChange } = props;
  const [open, setOpen] = useState(false);
  const values = useVocabulary(kind, value, open);
  const shown = values.filter((v) => v.value !== value || values.length > 1);
  return (
    <Combobox
      activator={
        <Combobox.TextField
          label={label}
          labelHidden
          value={value}
          onChange={onChange}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          autoComplete="off"
          placeholder={placeholder}
          error={error}
        />
      }
      onClose={() => setOpen(false)}
    >
      {open && shown.length > 0 ? (
        <Listbox onSelect={(v) => onChange(v)} accessibilityLabel={`Values for ${label}`}>
          {shown.map((v) => (
            <Listbox.Option key={v.value} value={v.value} selected={v.value === value} accessibilityLabel={v.label}>
              <Listbox.TextOption selected={v.value === value}>
                {v.label}
                {v.label !== v.value ? (
                  <Text as="span" tone="subdued">
                    {" "}
                    ({v.value})
                  </Text>
                ) : null}
                {v.count > 0 ? (
                  <Text as="span" tone="subdued">
                    {" "}
                    · {v.count.toLocaleString("en-US")}
                  </Text>
                ) : null}
              </Listbox.TextOption>
            </Listbox.Option>
          ))}
        </Listbox>
      ) : null}
    </Combobox>
  );
}
