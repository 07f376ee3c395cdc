// Settings: the shop's lifecycle thresholds (components/settings/LifecycleSettings.tsx), and the email
// tools' API keys. A key is checked with the service, stored encrypted
// (app/export/credentials.server.ts), and never sent back: the page shows only which services are
// connected, and to which account. Once Mailchimp is connected, its audiences (GET /lists) are listed
// and the merchant picks the one Tailored uses; an id the account does not have is refused.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { ModelSettingsCard } from "~/components/settings/ModelSettings";
import { db } from "~/db.server";
import {
  chooseMailchimpAudience,
  connectDestination,
  CredentialsError,
  disconnectDestination,
  listDestinations,
  mailchimpAudiences,
  SERVICES,
} from "~/export/credentials.server";
import { DestinationError } from "~/export/http.server";
import { keyringFromEnv, SecretsError } from "~/export/secrets.server";
import { MODEL_SETTINGS_INTENT } from "~/models/predictions/settings";
import { applyModelSettingsForm, modelSettings } from "~/models/predictions/settings.server";
import { LifecycleSettings } from "~/components/settings/LifecycleSettings";
import { lifecycleThresholds, saveLifecycleThresholds } from "~/services/lifecycle-settings.server";

const LABEL = { klaviyo: "Klaviyo", mailchimp: "Mailchimp" } as const;
const HELP = {
  klaviyo: "A private API key (pk_…) with the lists, profiles, subscriptions and data-privacy write scopes.",
  mailchimp: "An API key from Account → Extras → API keys; it ends with your data centre (-us6).",
} as const;

export const meta = () => pageTitle("Settings");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  let encryption: string | null = null;
  try {
    keyringFromEnv();
  } catch (error) {
    encryption = error instanceof SecretsError ? error.message : "The encryption key cannot be read";
  }
  const connected = await listDestinations(db, { shop });
  const mailchimp = connected.find((d) => d.service === "mailchimp");
  let audiences: { id: string; name: string }[] = [];
  let audiencesError: string | null = null;
  if (mailchimp) {
    try {
      audiences = await mailchimpAudiences(db, { shop });
    } catch {
      audiencesError = "Mailchimp's audiences could not be read just now; reload to try again";
    }
  }
  return {
    encryption,
    models: await modelSettings(db, { shop }),
    audiences,
    audiencesError,
    audienceId: mailchimp?.listId ?? null,
    lifecycle: await lifecycleThresholds(db, { shop, now: new Date() }),
    services: SERVICES.map((service) => {
      const c = connected.find((d) => d.service === service);
      return {
        service,
        account: c?.account ?? null,
        connectedAt: c?.connectedAt?.toISOString() ?? null,
        connected: !!c,
      };
    }),
  };
};

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("connect"), service: z.enum(SERVICES), apiKey: z.string().max(500) }),
  z.object({ intent: z.literal("disconnect"), service: z.enum(SERVICES) }),
  z.object({ intent: z.literal("audience"), service: z.literal("mailchimp"), audienceId: z.string().min(1).max(100) }),
]);

type ActionData = { ok: boolean; service?: string; message?: string; error?: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  if (form.get("intent") === MODEL_SETTINGS_INTENT) {
    const answer = await applyModelSettingsForm(db, { shop, form });
    return json<ActionData>(answer.data, { status: answer.status });
  }
  if (form.get("intent") === "lifecycle") return saveLifecycleThresholds(db, { shop, form, now: new Date() });
  const parsed = ActionSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return json<ActionData>({ ok: false, error: "Choose a service" }, { status: 400 });
  const input = parsed.data;
  if (input.intent === "disconnect") {
    await disconnectDestination(db, { shop, service: input.service });
    return json<ActionData>({ ok: true, service: input.service, message: `${LABEL[input.service]} disconnected` });
  }
  if (input.intent === "audience") {
    try {
      const name = await chooseMailchimpAudience(db, { shop, audienceId: input.audienceId, now: new Date() });
      return json<ActionData>({ ok: true, service: "mailchimp", message: `Segments go to the audience ${name}` });
    } catch (error) {
      if (error instanceof CredentialsError)
        return json<ActionData>({ ok: false, service: "mailchimp", error: error.message }, { status: 422 });
      if (error instanceof DestinationError)
        return json<ActionData>(
          { ok: false, service: "mailchimp", error: "Mailchimp could not be reached; try again" },
          { status: 503 },
        );
      throw error;
    }
  }
  try {
    const { account } = await connectDestination(db, {
      shop,
      service: input.service,
      apiKey: input.apiKey,
      now: new Date(),
    });
    return json<ActionData>({
      ok: true,
      service: input.service,
      message: `${LABEL[input.service]} connected${account ? ` (${account})` : ""}`,
    });
  } catch (error) {
    // Messages of our own, none holding the key.
    if (error instanceof CredentialsError || error instanceof SecretsError)
      return json<ActionData>({ ok: false, service: input.service, error: error.message }, { status: 422 });
    if (error instanceof DestinationError)
      return json<ActionData>(
        { ok: false, service: input.service, error: `${LABEL[input.service]} could not be reached; try again` },
        { status: 503 },
      );
    throw error;
  }
};

function AudienceChoice() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [chosen, setChosen] = useState(data.audienceId ?? data.audiences[0]?.id ?? "");
  if (data.audiencesError) return <Banner tone="warning">{data.audiencesError}</Banner>;
  if (data.audiences.length === 0)
    return <Banner tone="warning">The Mailchimp account has no audience yet: create one in Mailchimp.</Banner>;
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="audience" />
      <input type="hidden" name="service" value="mailchimp" />
      <BlockStack gap="200">
        <Select
          label="Audience Tailored adds members to"
          name="audienceId"
          options={data.audiences.map((a) => ({ label: a.name, value: a.id }))}
          value={chosen}
          onChange={setChosen}
          helpText={
            data.audienceId
              ? "A segment's next full export goes to the audience chosen here; changes follow it there."
              : "Not chosen yet: the account's first audience is used."
          }
          error={
            result && "service" in result && result.service === "mailchimp" && !result.ok && result.error
              ? result.error
              : undefined
          }
        />
        <InlineStack>
          <Button submit disabled={chosen === data.audienceId}>
            Use this audience
          </Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function ServiceCard({ s }: { s: ReturnType<typeof useLoaderData<typeof loader>>["services"][number] }) {
  // The lifecycle card answers through its own fetcher; this page's form answers only for keys.
  const result = useActionData<ActionData>();
  const navigation = useNavigation();
  const [key, setKey] = useState("");
  const mine = result?.service === s.service ? result : undefined;
  const busy = navigation.state !== "idle" && navigation.formData?.get("service") === s.service;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            {LABEL[s.service]}
          </Text>
          <Text as="span" tone={s.connected ? "success" : "subdued"}>
            {s.connected ? `Connected${s.account ? ` to ${s.account}` : ""}` : "Not connected"}
          </Text>
        </InlineStack>
        {mine?.ok ? <Banner tone="success">{mine.message}</Banner> : null}
        <Form method="post" onSubmit={() => setKey("")}>
          <input type="hidden" name="intent" value="connect" />
          <input type="hidden" name="service" value={s.service} />
          <BlockStack gap="200">
            <TextField
              label={s.connected ? "Replace the API key" : "API key"}
              name="apiKey"
              type="password"
              autoComplete="off"
              value={key}
              onChange={setKey}
              helpText={HELP[s.service]}
              error={mine && !mine.ok ? mine.error : undefined}
            />
            <InlineStack gap="200">
              <Button submit variant="primary" loading={busy} disabled={key.trim() === ""}>
                {s.connected ? "Replace key" : "Connect"}
              </Button>
            </InlineStack>
          </BlockStack>
        </Form>
        {s.connected && s.service === "mailchimp" ? <AudienceChoice /> : null}
        {s.connected ? (
          <Form method="post">
            <input type="hidden" name="intent" value="disconnect" />
            <input type="hidden" name="service" value={s.service} />
            <Button submit tone="critical" variant="plain">
              Disconnect
            </Button>
          </Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function SettingsPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title="Settings" subtitle="Lifecycle stages, and the email tools Tailored sends segments to">
      <Layout>
        {data.encryption ? (
          <Layout.Section>
            <Banner tone="warning" title="API keys cannot be stored yet">
              <p>{data.encryption}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.services.map((s) => (
          <Layout.Section key={s.service} variant="oneHalf">
            <ServiceCard s={s} />
          </Layout.Section>
        ))}
        <Layout.Section>
          <Text as="p" variant="bodySm" tone="subdued">
            Keys are checked with the service, stored encrypted, and never shown again.
          </Text>
        </Layout.Section>
        <Layout.Section>
          <ModelSettingsCard discountRatePercent={data.models.discountRatePercent} />
          <LifecycleSettings lifecycle={data.lifecycle} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
