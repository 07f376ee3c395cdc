// A date condition as a merchant says it: "in the last [90] [days]", "more than [6] [months] ago",
// "before / after / on [date]", "between [date] and [date]" (Polaris DatePicker in a Popover), "is
// empty". The view and what it writes are app/domain/segments/builder/dates.ts; what it cannot say
// is shown as the raw operator and value ("custom"), unchanged.
import { Button, DatePicker, InlineStack, Popover, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { ArgOperator, ConditionOperator } from "~/domain/segments/attributes";
import { operatorLabel } from "~/domain/segments/builder/labels";
import {
  applyDate,
  dateModes,
  DATE_MODE_LABELS,
  DATE_UNIT_LABELS,
  DATE_UNITS,
  readDate,
  switchDateMode,
  type DateMode,
  type DateParts,
  type DateUnit,
  type DateView,
} from "~/domain/segments/builder/dates";

/** Local calendar day <-> YYYY-MM-DD: the DatePicker works in the browser's days, the rule in the shop's. */
function toIso(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
function fromIso(iso: string): Date | undefined {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(iso);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

function DayPicker(props: { label: string; value: string; onChange: (iso: string) => void }) {
  const { label, value, onChange } = props;
  const selected = fromIso(value);
  const start = selected ?? new Date();
  const [active, setActive] = useState(false);
  const [{ month, year }, setShown] = useState({ month: start.getMonth(), year: start.getFullYear() });
  return (
    <Popover
      active={active}
      onClose={() => setActive(false)}
      autofocusTarget="first-node"
      activator={
        <Button
          onClick={() => setActive((a) => !a)}
          disclosure
          accessibilityLabel={`${label}: ${value || "choose a date"}`}
        >
          {value || "Choose a date"}
        </Button>
      }
    >
      <div style={{ padding: "12px", width: "300px" }}>
        <DatePicker
          month={month}
          year={year}
          selected={selected}
          onMonthChange={(m, y) => setShown({ month: m, year: y })}
          onChange={({ start: day }) => {
            onChange(toIso(day));
            setActive(false);
          }}
        />
      </div>
    </Popover>
  );
}

export function DateInput(props: {
  /** "Condition 2": the start of every field's accessible name. */
  label: string;
  kind: "attribute" | "parameter";
  parts: DateParts;
  hint?: DateMode;
  /** For "custom": the operators the raw form may choose from. */
  operators: readonly (ConditionOperator | ArgOperator)[];
  error?: string;
  onChange: (parts: DateParts, hint: DateMode) => void;
}) {
  const { label, kind, parts, hint, operators, error, onChange } = props;
  const view = readDate(parts, hint);
  const set = (next: DateView) => onChange(applyDate(parts, next), next.mode);
  const modes = dateModes(kind);
  const options = [
    ...modes.map((m) => ({ label: DATE_MODE_LABELS[m], value: m })),
    ...(view.mode === "custom" ? [{ label: DATE_MODE_LABELS.custom, value: "custom" }] : []),
  ];
  return (
    <InlineStack gap="200" blockAlign="start" wrap>
      <Select
        label={`${label} date comparison`}
        labelHidden
        options={options}
        value={view.mode}
        onChange={(m) => set(switchDateMode(view, m as DateMode))}
      />
      {view.mode === "last" || view.mode === "ago" ? (
        <>
          <div style={{ width: "90px" }}>
            <TextField
              label={`${label} number of ${DATE_UNIT_LABELS[view.unit]}`}
              labelHidden
              type="number"
              min={1}
              autoComplete="off"
              value={view.amount}
              onChange={(amount) => set({ ...view, amount })}
              error={error ? `Enter how many ${DATE_UNIT_LABELS[view.unit]}` : undefined}
            />
          </div>
          <Select
            label={`${label} unit`}
            labelHidden
            options={DATE_UNITS.map((u) => ({ label: DATE_UNIT_LABELS[u], value: u }))}
            value={view.unit}
            onChange={(unit) => set({ ...view, unit: unit as DateUnit })}
          />
          {view.mode === "ago" ? <Text as="span">ago</Text> : null}
        </>
      ) : null}
      {view.mode === "before" || view.mode === "after" || view.mode === "on" ? (
        <DayPicker label={`${label} date`} value={view.date} onChange={(date) => set({ ...view, date })} />
      ) : null}
      {view.mode === "between" ? (
        <>
          <DayPicker label={`${label} first date`} value={view.date} onChange={(date) => set({ ...view, date })} />
          <Text as="span">and</Text>
          <DayPicker label={`${label} last date`} value={view.high} onChange={(high) => set({ ...view, high })} />
        </>
      ) : null}
      {view.mode === "custom" ? (
        <>
          <Select
            label={`${label} operator`}
            labelHidden
            options={operators.map((o) => ({ label: operatorLabel(o, "date"), value: o }))}
            value={parts.operator}
            onChange={(operator) => onChange({ ...parts, operator: operator as ConditionOperator }, "custom")}
          />
          <TextField
            label={`${label} value`}
            labelHidden
            autoComplete="off"
            monospaced
            value={parts.value}
            onChange={(value) => onChange({ ...parts, value }, "custom")}
            placeholder="-30d, today or 2025-01-31"
            error={error}
          />
          {parts.operator === "BETWEEN" ? (
            <TextField
              label={`${label} upper value`}
              labelHidden
              autoComplete="off"
              monospaced
              value={parts.high}
              onChange={(high) => onChange({ ...parts, high }, "custom")}
            />
          ) : null}
        </>
      ) : null}
      {error && view.mode !== "custom" && view.mode !== "last" && view.mode !== "ago" ? (
        <Text as="span" tone="critical">
          {view.mode === "between" ? "Choose both dates" : "Choose a date"}
        </Text>
      ) : null}
    </InlineStack>
  );
}
