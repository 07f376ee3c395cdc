// The segment editor shared by the new and edit pages: a name, the query as text or in the visual
// builder (both edit the same query), a live count and the first members as it changes, Save as the
// page's primary action, SaveBar when embedded, a question before unsaved edits are left behind
// (LeaveConfirmation.tsx), and a toast once saved.
import { Form, useActionData, useFetcher, useNavigate, useNavigation } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import {
  Banner,
  BlockStack,
  Box,
  Card,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Tabs,
  Text,
  TextField,
  type PageProps,
} from "@shopify/polaris";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { QueryEditor } from "~/components/QueryEditor";
import { QueryReference } from "~/components/QueryReference";
import { RuleBuilder } from "~/components/RuleBuilder";
import { ScrollableTable } from "~/components/ScrollableTable";
import { useToast } from "~/components/toast";
import { LEAVE_WITHOUT_ASKING, useLeaveConfirmation } from "~/components/LeaveConfirmation";
import { useShopFormat } from "~/components/shop-format";
import { builderToText, fromBuilder, textToBuilder, type BuilderGroup } from "~/domain/segments/builder";
import type { SegmentActionData } from "~/domain/segments/form";
import { formatError } from "~/domain/segments/query-language";
import { insertExample } from "~/domain/segments/reference";
import type { PreviewMember } from "~/models/segments/read-models.server";

/** `retry`: the shop's other previews are still running (429); nothing is wrong with the query. */
/** `hints`: why a query that counts no one matches nobody, where we can tell. */
type Preview =
  | { ok: true; count: number; members: PreviewMember[]; hints?: { message: string; line: number; col: number }[] }
  | { ok: false; error: string; retry?: boolean };

type Mode = "query" | "builder";
const TABS = [
  { id: "query", content: "Query", panelID: "segment-query-panel" },
  { id: "builder", content: "Builder", panelID: "segment-builder-panel" },
];

export function SegmentEditor(props: {
  title: string;
  demo: boolean;
  initialName: string;
  initialQuery: string;
  saveBarId: string;
  submitLabel: string;
  backUrl: string;
  secondaryActions?: PageProps["secondaryActions"];
  children?: ReactNode;
}) {
  const { title, demo, initialName, initialQuery, saveBarId, submitLabel, backUrl, secondaryActions, children } = props;
  const actionData = useActionData<SegmentActionData>();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const toast = useToast();
  const preview = useFetcher<Preview>();
  const [baseline, setBaseline] = useState({ name: initialName, query: initialQuery });
  const [name, setName] = useState(initialName);
  const [query, setQuery] = useState(initialQuery);
  const [mode, setMode] = useState<Mode>("query");
  // The builder's own state, valid while the query is still the text it printed: half-filled fields
  // (an empty number) survive a switch to Query and back, and any edit of the text re-reads it.
  const [built, setBuilt] = useState<{ text: string; root: BuilderGroup } | null>(null);
  // A save was tried: the builder shows the gaps of conditions the merchant has not edited yet too.
  const [attempted, setAttempted] = useState(false);
  const dirty = name !== baseline.name || query !== baseline.query;
  // The query editor's caret, for the reference's Insert, and where the caret goes after it.
  const caret = useRef(initialQuery.length);
  const [caretRequest, setCaretRequest] = useState<{ caret: number; seq: number }>();
  const insert = (example: string) => {
    const next = insertExample(query, caret.current, example);
    setQuery(next.text);
    caret.current = next.caret;
    setCaretRequest({ caret: next.caret, seq: (caretRequest?.seq ?? 0) + 1 });
  };
  const leave = useLeaveConfirmation(dirty);
  const format = useShopFormat();

  const view = useMemo(
    () => (built && built.text === query ? ({ ok: true, builder: built.root } as const) : textToBuilder(query)),
    [built, query],
  );
  const builderIssues = useMemo(() => (view.ok ? fromBuilder(view.builder) : null), [view]);

  // Count as the merchant types, a quarter of a second after they pause, in either mode.
  useEffect(() => {
    const timer = setTimeout(() => preview.load(`/app/segment-preview?q=${encodeURIComponent(query)}`), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  // Turned away while the shop's other previews run: ask again after the second the route asks for.
  useEffect(() => {
    if (!preview.data || preview.data.ok || !preview.data.retry) return;
    const timer = setTimeout(() => preview.load(`/app/segment-preview?q=${encodeURIComponent(query)}`), 1000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preview.data]);

  useEffect(() => {
    if (!actionData?.ok) return;
    setBaseline({ name, query });
    toast(actionData.message);
    navigate(actionData.redirectTo, { state: LEAVE_WITHOUT_ASKING });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [actionData]);

  const onBuilderChange = (root: BuilderGroup) => {
    const text = builderToText(root);
    setBuilt({ text, root });
    setQuery(text);
  };

  const result = preview.data;
  const failed = actionData && !actionData.ok ? actionData.errors : undefined;
  const queryError =
    failed?.query ?? (result && !result.ok && !result.retry && query.trim() ? result.error : undefined);
  const saving = navigation.state === "submitting";
  const submit = () => (document.getElementById("segment-form") as HTMLFormElement | null)?.requestSubmit();
  const reset = () => {
    setName(baseline.name);
    setQuery(baseline.query);
    setBuilt(null);
  };

  return (
    <Page
      title={title}
      backAction={{ content: "Segments", url: backUrl }}
      primaryAction={{ content: submitLabel, onAction: submit, loading: saving }}
      secondaryActions={secondaryActions}
    >
      {!demo ? (
        <SaveBar id={saveBarId} open={dirty} discardConfirmation>
          <button variant="primary" onClick={submit}></button>
          <button onClick={reset}></button>
        </SaveBar>
      ) : null}
      {leave.modal}
      <Layout>
        <Layout.Section>
          <Card>
            <Form
              method="post"
              id="segment-form"
              onSubmit={(event) => {
                setAttempted(true);
                // A condition the builder shows as incomplete is said at once, where it is; not sent.
                if (mode === "builder" && builderIssues && !builderIssues.ok) event.preventDefault();
              }}
            >
              <input type="hidden" name="query" value={query} />
              <FormLayout>
                <TextField
                  label="Name"
                  name="name"
                  value={name}
                  onChange={setName}
                  autoComplete="off"
                  error={failed?.name}
                />
                <Tabs
                  tabs={TABS}
                  selected={mode === "query" ? 0 : 1}
                  onSelect={(i) => setMode(i === 0 ? "query" : "builder")}
                >
                  <Box paddingBlockStart="300">
                    {mode === "query" ? (
                      <BlockStack gap="100">
                        <QueryEditor
                          label="Query"
                          value={query}
                          onChange={setQuery}
                          serverError={queryError}
                          onCaret={(at) => (caret.current = at)}
                          caretRequest={caretRequest}
                          helpText="Shopify's segment language, e.g. amount_spent >= 500 AND last_order_date < -90d. Suggestions appear as you type (Ctrl+Space opens them)."
                        />
                        <InlineStack>
                          <QueryReference onInsert={insert} />
                        </InlineStack>
                      </BlockStack>
                    ) : view.ok ? (
                      <BlockStack gap="200">
                        <RuleBuilder
                          root={view.builder}
                          issues={builderIssues && !builderIssues.ok ? builderIssues.issues : []}
                          onChange={onBuilderChange}
                          embedded={!demo}
                          showAllErrors={attempted}
                        />
                        <Text as="p" variant="bodySm" tone="subdued">
                          Query: <code id="builder-query">{query}</code>
                        </Text>
                        {queryError && builderIssues?.ok ? (
                          <Text as="p" tone="critical">
                            {queryError}
                          </Text>
                        ) : null}
                      </BlockStack>
                    ) : view.reason === "syntax" ? (
                      <Banner tone="critical" title="Fix the query to use the builder">
                        <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>
                          {view.errors.map((e) => formatError(query, e)).join("\n")}
                        </pre>
                      </Banner>
                    ) : (
                      <Banner tone="warning" title="The builder cannot show this query">
                        <p>{view.message}</p>
                      </Banner>
                    )}
                  </Box>
                </Tabs>
                <InlineStack gap="300" blockAlign="center">
                  {/* Announced as it changes, without taking the focus from the query. */}
                  <span id="preview-status" aria-live="polite">
                    <Text as="span" tone="subdued">
                      {result?.ok ? (
                        <>
                          <span id="preview-count">{format.count(result.count)}</span> customers match
                        </>
                      ) : preview.state !== "idle" || (result && !result.ok && result.retry) ? (
                        "Counting…"
                      ) : (
                        ""
                      )}
                    </Text>
                  </span>
                </InlineStack>
                {result?.ok && result.count === 0 && result.hints && result.hints.length > 0 ? (
                  <Banner tone="info" title="Why this matches nobody">
                    <ul id="preview-hints" style={{ margin: 0, paddingInlineStart: "1.2em" }}>
                      {result.hints.map((h, i) => (
                        <li key={i}>
                          {h.message}{" "}
                          <Text as="span" tone="subdued">
                            (line {h.line}, column {h.col})
                          </Text>
                        </li>
                      ))}
                    </ul>
                  </Banner>
                ) : null}
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
                <ScrollableTable
                  label="First members of the segment"
                  columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                  headings={["Customer", "Email", "Orders", "Spent", "Last order"]}
                  rows={result.members.map((m) => [
                    m.name,
                    m.email ?? "—",
                    m.orders,
                    m.spent,
                    m.lastOrderAt ? format.date(m.lastOrderAt) : "—",
                  ])}
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
      {children}
    </Page>
  );
}
