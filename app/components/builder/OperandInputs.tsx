// What a condition or a filter compares with, after its operator: one value, two for "is between", or
// a list for "is any of" (checkboxes in words for an enum, one field per value otherwise); each value
// a word select for enums, the shop's own values where it has them (SuggestInput), a product or
// collection chosen by title (ResourceInput), or text.
import { BlockStack, Button, ChoiceList, InlineError, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { ResourceInput } from "~/components/builder/ResourceInput";
import { SuggestInput } from "~/components/builder/SuggestInput";
import { enumLabel } from "~/components/format";
import type { ArgOperator, AttributeType, ConditionOperator, ParamType } from "~/domain/segments/attributes";
import { isListOperator, operatorTakesValue } from "~/domain/segments/builder";
import type { VocabularyKind } from "~/domain/segments/vocabulary";

type ValueType = AttributeType | ParamType;

/** A single value of a type: a word select for enums, the shop's values where it has them, else text. */
function ValueInput(props: {
  label: string;
  type: ValueType | undefined;
  enumValues?: readonly string[];
  vocabulary?: VocabularyKind;
  embedded: boolean;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { label, type, enumValues, vocabulary, embedded, value, error, onChange } = props;
  if (type === "enum" || type === "boolean") {
    const values = type === "enum" ? (enumValues ?? []) : ["true", "false"];
    const options = values.map((v) => ({ label: enumLabel(v), value: v }));
    if (!values.includes(value)) options.unshift({ label: value || "Choose…", value });
    return <Select label={label} labelHidden options={options} value={value} onChange={onChange} error={error} />;
  }
  if (vocabulary === "product" || vocabulary === "collection")
    return (
      <ResourceInput
        label={label}
        kind={vocabulary}
        value={value}
        embedded={embedded}
        error={error}
        onChange={onChange}
      />
    );
  if (vocabulary)
    return <SuggestInput label={label} kind={vocabulary} value={value} error={error} onChange={onChange} />;
  return (
    <TextField
      label={label}
      labelHidden
      autoComplete="off"
      value={value}
      onChange={onChange}
      error={error}
      type={type === "number" || type === "money" ? "text" : undefined}
      inputMode={type === "number" || type === "money" ? "decimal" : undefined}
      placeholder={type === "number" || type === "money" ? "0" : type === "id" ? "ID" : undefined}
    />
  );
}

/** IN / NOT IN values: checkboxes in words for an enum, otherwise one field per value. */
function ListInput(props: {
  label: string;
  type: ValueType | undefined;
  enumValues?: readonly string[];
  vocabulary?: VocabularyKind;
  embedded: boolean;
  items: readonly string[];
  errorOf: (item?: number) => string | undefined;
  onChange: (items: string[]) => void;
}) {
  const { label, type, enumValues, vocabulary, embedded, items, errorOf, onChange } = props;
  if (type === "enum") {
    return (
      <ChoiceList
        title={label}
        titleHidden
        allowMultiple
        choices={(enumValues ?? []).map((v) => ({ label: enumLabel(v), value: v }))}
        selected={[...items]}
        onChange={(selected) => onChange((enumValues ?? []).filter((v) => selected.includes(v)))}
        error={errorOf()}
      />
    );
  }
  return (
    <BlockStack gap="100">
      {items.map((item, j) => (
        <InlineStack key={j} gap="100" blockAlign="center">
          <ValueInput
            label={`${label} ${j + 1}`}
            type={type}
            vocabulary={vocabulary}
            embedded={embedded}
            value={item}
            error={errorOf(j)}
            onChange={(v) => onChange(items.map((x, k) => (k === j ? v : x)))}
          />
          <Button
            variant="plain"
            accessibilityLabel={`Remove value ${j + 1} of ${label.toLowerCase()}`}
            onClick={() => onChange(items.filter((_, k) => k !== j))}
          >
            Remove value
          </Button>
        </InlineStack>
      ))}
      {items.length === 0 && errorOf() ? <InlineError message={errorOf() ?? ""} fieldID={label} /> : null}
      <Button
        variant="plain"
        accessibilityLabel={`Add value to ${label.toLowerCase()}`}
        onClick={() => onChange([...items, ""])}
      >
        Add value
      </Button>
    </BlockStack>
  );
}

/** The fields after the operator, for a condition's or a function argument's operator and values. */
export function OperandInputs(props: {
  /** "Condition 2" or "Condition 2 product type": the start of each field's accessible name. */
  label: string;
  type: ValueType | undefined;
  enumValues?: readonly string[];
  vocabulary?: VocabularyKind;
  embedded: boolean;
  operand: { operator: ConditionOperator | ArgOperator; value: string; high: string; items?: string[] };
  errorOf: (field: "value" | "high" | "items", item?: number) => string | undefined;
  onChange: (operand: { value?: string; high?: string; items?: string[] }) => void;
}) {
  const { label, type, enumValues, vocabulary, embedded, operand, errorOf, onChange } = props;
  if (isListOperator(operand.operator)) {
    return (
      <ListInput
        label={`${label} values`}
        type={type}
        enumValues={enumValues}
        vocabulary={vocabulary}
        embedded={embedded}
        items={operand.items ?? []}
        errorOf={(item) => errorOf("items", item)}
        onChange={(items) => onChange({ items })}
      />
    );
  }
  if (!operatorTakesValue(operand.operator as ConditionOperator)) return null;
  return (
    <>
      <ValueInput
        label={`${label} value`}
        type={type}
        enumValues={enumValues}
        vocabulary={vocabulary}
        embedded={embedded}
        value={operand.value}
        error={errorOf("value")}
        onChange={(value) => onChange({ value })}
      />
      {operand.operator === "BETWEEN" ? (
        <>
          <Text as="span">and</Text>
          <ValueInput
            label={`${label} upper value`}
            type={type}
            embedded={embedded}
            value={operand.high}
            error={errorOf("high")}
            onChange={(high) => onChange({ high })}
          />
        </>
      ) : null}
    </>
  );
}
