// The Settings page's lifecycle card: the days and orders that put a customer in each lifecycle stage,
// with the stages spelled out as they stand, saved through the page's action (intent "lifecycle",
// services/lifecycle-settings.server.ts). Every segment that uses lifecycle stages follows at once.
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, FormLayout, InlineStack, List, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useToast } from "~/components/toast";
import type { LifecycleThresholds } from "~/domain/segments/engine";
import { lifecycleStages } from "~/domain/segments/group-names";
import type { LifecycleActionData } from "~/services/lifecycle-settings.server";

type Field = keyof LifecycleThresholds;

const FIELDS: { name: Field; label: string; help: string }[] = [
  { name: "lapsingDays", label: "Lapsing after (days)", help: "Days since the last order; 1 to 3650" },
  { name: "lapsedDays", label: "Lapsed after (days)", help: "More than lapsing; up to 3650" },
  { name: "loyalOrders", label: "Loyal from (orders)", help: "At least 2" },
];

export function LifecycleSettings({ lifecycle }: { lifecycle: LifecycleThresholds }) {
  const fetcher = useFetcher<LifecycleActionData>();
  const toast = useToast();
  const [values, setValues] = useState<Record<Field, string>>({
    lapsingDays: String(lifecycle.lapsingDays),
    lapsedDays: String(lifecycle.lapsedDays),
    loyalOrders: String(lifecycle.loyalOrders),
  });
  useEffect(() => {
    if (fetcher.data?.ok) toast(fetcher.data.message);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data.fields : {};
  return (
    <Card>
      <fetcher.Form method="post" action="/app/settings" aria-labelledby="lifecycle-heading" id="lifecycle">
        <input type="hidden" name="intent" value="lifecycle" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd" id="lifecycle-heading">
            Lifecycle stages
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            Every customer is in one stage. Segments, templates, Insights and exports use these stages; the segments
            that use them are recomputed when you save.
          </Text>
          <List type="bullet">
            {lifecycleStages(lifecycle).map((s) => (
              <List.Item key={s.stage}>
                <Text as="span" fontWeight="semibold">
                  {s.label}
                </Text>
                : {s.rule}
              </List.Item>
            ))}
          </List>
          <FormLayout>
            <FormLayout.Group condensed>
              {FIELDS.map((f) => (
                <TextField
                  key={f.name}
                  label={f.label}
                  name={f.name}
                  type="number"
                  autoComplete="off"
                  value={values[f.name]}
                  onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
                  helpText={f.help}
                  error={errors[f.name]}
                />
              ))}
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end">
            <Button submit loading={fetcher.state !== "idle"}>
              Save thresholds
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
