import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import { BlockStack, Box, Button, Card, DataTable, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { createSegment, SegmentRuleError, type PreviewMember } from "~/models/segments.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { demo } = await requireAdmin(request);
  const params = new URL(request.url).searchParams;
  return { demo, name: params.get("name") ?? "", query: params.get("query") ?? "" };
};

const SegmentForm = z.object({
  name: z.string().trim().min(1, "Give the segment a name").max(120, "Keep the name under 120 characters"),
  query: z.string().trim().min(1, "Write the query that selects the customers"),
});

type ActionData = { errors: { name?: string; query?: string } };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const parsed = SegmentForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors;
    return json({ errors: { name: fields.name?.[0], query: fields.query?.[0] } } satisfies ActionData, { status: 400 });
  }
  try {
    await createSegment(db, { shop, name: parsed.data.name, query: parsed.data.query, now: new Date() });
  } catch (error) {
    if (error instanceof SegmentRuleError) return json({ errors: { query: error.message } } satisfies ActionData, { status: 422 });
    throw error;
  }
  return redirect("/app/segments");
};

type Preview = { ok: true; count: number; members: PreviewMember[] } | { ok: false; error: string };

export default function NewSegment() {
  const initial = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const preview = useFetcher<Preview>();
  const [name, setName] = useState(initial.name);
  const [query, setQuery] = useState(initial.query);
  const dirty = name !== initial.name || query !== initial.query;

  // Count as the merchant types, a quarter of a second after they pause.
  useEffect(() => {
    const timer = setTimeout(() => preview.load(`/app/segments/preview?q=${encodeURIComponent(query)}`), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  const result = preview.data;
  const queryError = actionData?.errors.query ?? (result && !result.ok && query.trim() ? result.error : undefined);
  const saving = navigation.state === "submitting";

  return (
    <Page title="New segment" backAction={{ content: "Segments", url: "/app/segments" }}>
      {!initial.demo ? (
        <SaveBar id="segment-save-bar" open={dirty}>
          <button variant="primary" onClick={() => (document.getElementById("segment-form") as HTMLFormElement | null)?.requestSubmit()}></button>
          <button onClick={() => { setName(initial.name); setQuery(initial.query); }}></button>
        </SaveBar>
      ) : null}
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="post" id="segment-form">
              <FormLayout>
                <TextField label="Name" name="name" value={name} onChange={setName} autoComplete="off" error={actionData?.errors.name} />
                <TextField
                  label="Query"
                  name="query"
                  value={query}
                  onChange={setQuery}
                  multiline={3}
                  monospaced
                  autoComplete="off"
                  helpText="Shopify's segment language, e.g. amount_spent >= 500 AND last_order_date < -90d"
                  error={queryError ? <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{queryError}</pre> : undefined}
                />
                <InlineStack gap="300" blockAlign="center">
                  <Button submit variant="primary" loading={saving}>
                    Save segment
                  </Button>
                  <Text as="span" tone="subdued">
                    {result?.ok ? (
                      <>
                        <span id="preview-count">{result.count.toLocaleString("en-US")}</span> customers match
                      </>
                    ) : preview.state !== "idle" ? "Counting…" : ""}
                  </Text>
                </InlineStack>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingSm">
                First members
              </Text>
              {result?.ok && result.members.length > 0 ? (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                  headings={["Customer", "Email", "Orders", "Spent", "Last order"]}
                  rows={result.members.map((m) => [m.name, m.email ?? "—", m.orders, m.spent, m.lastOrderAt ? new Date(m.lastOrderAt).toLocaleDateString() : "—"])}
                />
              ) : (
                <Box paddingBlock="200">
                  <Text as="p" tone="subdued">
                    {result?.ok ? "No customer matches this query." : "The customers your query selects appear here."}
                  </Text>
                </Box>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
