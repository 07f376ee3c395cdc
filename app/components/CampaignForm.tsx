// The campaign form shared by the new and edit pages: audience, banner, recommendations, schedule and
// holdout, with a live preview of the banner (sanitized by the server as it would be saved) and of what a
// chosen customer would see. SaveBar when embedded; unsaved changes are asked about before they are left
// behind (LeaveConfirmation.tsx, as on the segment editor).
import { Form, useActionData, useFetcher, useNavigate, useNavigation } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
  type PageProps,
} from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { LEAVE_WITHOUT_ASKING, useLeaveConfirmation } from "~/components/LeaveConfirmation";
import { useShopFormat } from "~/components/shop-format";
import { useToast } from "~/components/toast";
import type { BannerView } from "~/models/campaigns/decide.server";
import type { PreviewResult } from "~/models/campaigns/preview.server";

export type CampaignActionData =
  { ok: true; id: number; message: string; redirectTo: string } | { ok: false; errors: Record<string, string> };

type PreviewData = ({ ok: true } & PreviewResult) | { ok: false; errors: Record<string, string> };

export function BannerPreview({ banner, label }: { banner: BannerView; label: string }) {
  return (
    <section
      aria-label={label}
      data-preview-banner
      style={{
        background: banner.backgroundColor,
        color: banner.textColor,
        borderRadius: 8,
        padding: 24,
        minHeight: 140,
      }}
    >
      {banner.imageUrl ? (
        <img src={banner.imageUrl} alt="" style={{ maxWidth: "100%", aspectRatio: "2 / 1", objectFit: "cover" }} />
      ) : null}
      <h2 style={{ margin: 0, fontSize: 24 }}>{banner.headline}</h2>
      {/* Sanitized on the server with the same allow-list as the saved campaign (app/domain/sanitize.ts). */}
      {banner.bodyHtml ? <div dangerouslySetInnerHTML={{ __html: banner.bodyHtml }} /> : null}
      {banner.buttonLabel && banner.buttonLink ? (
        <span
          style={{
            display: "inline-block",
            marginTop: 12,
            padding: "8px 16px",
            border: "2px solid currentColor",
            borderRadius: 4,
          }}
        >
          {banner.buttonLabel}
        </span>
      ) : null}
    </section>
  );
}

export function CampaignForm(props: {
  title: string;
  demo: boolean;
  campaignId: number | null;
  initial: Record<string, string>;
  segments: { id: number; name: string }[];
  submitLabel: string;
  secondaryActions?: PageProps["secondaryActions"];
  children?: ReactNode;
}) {
  const { title, demo, campaignId, initial, segments, submitLabel, secondaryActions, children } = props;
  const actionData = useActionData<CampaignActionData>();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const toast = useToast();
  const { timeZone } = useShopFormat();
  const preview = useFetcher<PreviewData>();
  const [baseline, setBaseline] = useState(initial);
  const [fields, setFields] = useState(initial);
  const [customer, setCustomer] = useState("");
  const dirty = JSON.stringify(fields) !== JSON.stringify(baseline);
  const set = (name: string) => (value: string | boolean) =>
    setFields((f) => ({ ...f, [name]: typeof value === "boolean" ? (value ? "on" : "") : value }));

  useEffect(() => {
    const timer = setTimeout(() => {
      preview.submit(
        { ...fields, previewCustomer: customer, campaignId: campaignId === null ? "" : String(campaignId) },
        { method: "post", action: "/app/campaigns/preview" },
      );
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fields, customer]);

  useEffect(() => {
    if (!actionData?.ok) return;
    setBaseline(fields);
    toast(actionData.message);
    navigate(actionData.redirectTo, { state: LEAVE_WITHOUT_ASKING });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [actionData]);

  const leave = useLeaveConfirmation(dirty);

  const errors = actionData && !actionData.ok ? actionData.errors : {};
  const liveErrors = preview.data && !preview.data.ok ? preview.data.errors : {};
  const error = (name: string) => errors[name] ?? liveErrors[name];
  const text = (name: string, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      name={name}
      value={fields[name] ?? ""}
      onChange={set(name)}
      autoComplete="off"
      error={error(name)}
      {...extra}
    />
  );
  const data = preview.data?.ok ? preview.data : null;

  return (
    <Page
      title={title}
      backAction={{ content: "Campaigns", url: "/app/campaigns" }}
      secondaryActions={secondaryActions}
    >
      {!demo ? (
        <SaveBar id="campaign-save-bar" open={dirty}>
          <button
            variant="primary"
            onClick={() => (document.getElementById("campaign-form") as HTMLFormElement | null)?.requestSubmit()}
          ></button>
          <button onClick={() => setFields(baseline)}></button>
        </SaveBar>
      ) : null}
      {leave.modal}
      <Layout>
        <Layout.Section>
          <Form method="post" id="campaign-form">
            <input type="hidden" name="newVisitorsOnly" value={fields.newVisitorsOnly ?? ""} />
            <BlockStack gap="400">
              {errors.form ? <Banner tone="critical">{errors.form}</Banner> : null}
              <Card>
                <FormLayout>
                  {text("name", "Name (for you; shoppers never see it)")}
                  <FormLayout.Group>
                    <Select
                      label="Status"
                      name="status"
                      options={[
                        { label: "Draft", value: "draft" },
                        { label: "Active", value: "active" },
                        { label: "Paused", value: "paused" },
                      ]}
                      value={fields.status ?? "draft"}
                      onChange={set("status")}
                      error={error("status")}
                    />
                    {text("priority", "Priority (higher wins)", { type: "number" })}
                  </FormLayout.Group>
                </FormLayout>
              </Card>
              <Card>
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    Audience
                  </Text>
                  <Select
                    label="Segment"
                    name="segmentId"
                    options={[
                      { label: "Any visitor (no segment)", value: "" },
                      ...segments.map((s) => ({ label: s.name, value: String(s.id) })),
                    ]}
                    value={fields.segmentId ?? ""}
                    onChange={set("segmentId")}
                    error={error("segmentId")}
                    helpText="Segment members are recognised when they are logged in."
                  />
                  {fields.segmentId ? null : (
                    <FormLayout.Group>
                      {text("countries", "Countries (two-letter codes, empty for all)")}
                      <Checkbox
                        label="New visitors only"
                        checked={fields.newVisitorsOnly === "on"}
                        onChange={set("newVisitorsOnly")}
                      />
                    </FormLayout.Group>
                  )}
                  <FormLayout.Group>
                    {text("interestProductType", "Browsing this visit: product type (optional)", {
                      helpText:
                        "Only visitors who viewed products of this type in their current visit (from the Web Pixel, with their analytics consent)",
                    })}
                    {text("interestViews", "Views of that type", { type: "number", helpText: "1–50" })}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {text("startsAt", "Starts", { type: "date", helpText: `At midnight, ${timeZone} time` })}
                    {text("endsAt", "Ends (not included)", { type: "date", helpText: "Shown until this day begins" })}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {text("holdoutPercent", "Holdout %", {
                      type: "number",
                      helpText: "0–50: a stable share of the audience sees the block's own content, for comparison",
                    })}
                    {text("attributionDays", "Attribution window (days)", { type: "number" })}
                  </FormLayout.Group>
                </FormLayout>
              </Card>
              <Card>
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    Banner
                  </Text>
                  {text("headline", "Headline")}
                  {text("bodyHtml", "Text (bold, italics, lists and links allowed)", { multiline: 3 })}
                  {text("imageUrl", "Image URL (https)")}
                  <FormLayout.Group>
                    {text("buttonLabel", "Button label")}
                    {text("buttonLink", "Button link (https://… or /collections/…)")}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {text("textColor", "Text colour", { type: "color" })}
                    {text("backgroundColor", "Background colour", { type: "color" })}
                  </FormLayout.Group>
                  <Select
                    label="Recommendations"
                    name="strategy"
                    options={[
                      { label: "For each customer (their history and segments)", value: "personal" },
                      { label: "The segment's top sellers", value: "segment" },
                      { label: "Best sellers", value: "bestsellers" },
                    ]}
                    value={fields.strategy ?? "personal"}
                    onChange={set("strategy")}
                    error={error("strategy")}
                  />
                </FormLayout>
              </Card>
              <InlineStack>
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  {submitLabel}
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Preview
              </Text>
              {data ? <BannerPreview banner={data.banner} label="Banner preview" /> : <Text as="p">…</Text>}
              <TextField
                label="See it as customer (Shopify customer id)"
                value={customer}
                onChange={setCustomer}
                autoComplete="off"
              />
              {data?.asCustomer ? (
                <InlineGrid columns={1} gap="200">
                  <Text as="p" id="preview-as-customer">
                    {data.asCustomer.message}
                  </Text>
                  {data.asCustomer.banner && data.asCustomer.sees === "other" ? (
                    <BannerPreview banner={data.asCustomer.banner} label="What this customer sees" />
                  ) : null}
                </InlineGrid>
              ) : null}
            </BlockStack>
          </Card>
          {children}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
