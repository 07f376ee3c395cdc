// The Settings page's card for the predictions: the yearly discount rate of the predicted 12-month
// customer value. Its action answers with `service: "models"` so the page's other cards ignore it.
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { DISCOUNT_RATE_FIELD, formatRate, MODEL_SETTINGS_INTENT } from "~/models/predictions/settings";

export const MODEL_SETTINGS_SERVICE = "models";

type Result = { ok: boolean; service?: string; message?: string; error?: string } | undefined;

export function ModelSettingsCard({ discountRatePercent }: { discountRatePercent: number }) {
  const result = useActionData() as Result;
  const mine = result?.service === MODEL_SETTINGS_SERVICE ? result : undefined;
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === MODEL_SETTINGS_INTENT;
  const [value, setValue] = useState(String(discountRatePercent));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Predictions
        </Text>
        {mine?.ok ? <Banner tone="success">{mine.message}</Banner> : null}
        <Form method="post" id="model-settings">
          <input type="hidden" name="intent" value={MODEL_SETTINGS_INTENT} />
          <BlockStack gap="200">
            <TextField
              label="Discount rate of the predicted customer value (% a year)"
              name={DISCOUNT_RATE_FIELD}
              id={DISCOUNT_RATE_FIELD}
              type="text"
              inputMode="decimal"
              autoComplete="off"
              suffix="% a year"
              value={value}
              onChange={setValue}
              helpText={`What a sale a year from now is worth to you today, from 0 to 100 % (now ${formatRate(discountRatePercent)}). The 12-month value on the Insights page is discounted at this rate from the next refit: tonight, or at once with Refit now.`}
              error={mine && !mine.ok ? mine.error : undefined}
            />
            <InlineStack>
              <Button submit loading={busy}>
                Save
              </Button>
            </InlineStack>
          </BlockStack>
        </Form>
      </BlockStack>
    </Card>
  );
}
