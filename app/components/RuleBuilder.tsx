// The segment editor's visual builder: groups (all of / any of), NOT, conditions on the catalogue's
// attributes and purchase/order functions with their parameters. It edits a BuilderNode tree
// (app/domain/segments/builder.ts); the editor prints every change back to the query text.
import { enumLabel } from "~/components/format";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  InlineError,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import {
  argOperators,
  OPERATORS_BY_TYPE,
  getAttribute,
  getFunction,
  getParam,
  type ArgOperator,
  type ConditionOperator,
} from "~/domain/segments/attributes";
import {
  BUILDER_ATTRIBUTES,
  BUILDER_FUNCTIONS,
  appendChild,
  changeArgName,
  changeArgOperator,
  changeAttribute,
  changeOperator,
  newArg,
  newCondition,
  newFunction,
  operatorTakesValue,
  paramType,
  removeAt,
  toggleNot,
  updateAt,
  type BuilderArg,
  type BuilderCondition,
  type BuilderField,
  type BuilderFunction,
  type BuilderGroup,
  type BuilderIssue,
  type BuilderNode,
  type Path,
} from "~/domain/segments/builder";

type Props = { root: BuilderGroup; issues: readonly BuilderIssue[]; onChange: (root: BuilderGroup) => void };

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((v, i) => v === b[i]);

function issueFor(
  issues: readonly BuilderIssue[],
  path: Path,
  field: BuilderField,
  arg?: number,
  item?: number,
): string | undefined {
  return issues.find(
    (i) => samePath(i.path, path) && i.field === field && i.arg === arg && (item === undefined || i.item === item),
  )?.message;
}

const OPERATOR_LABELS: Record<string, string> = {
  "=": "is",
  "!=": "is not",
  ">": "is more than",
  ">=": "is at least",
  "<": "is less than",
  "<=": "is at most",
  BETWEEN: "is between",
  "IS NULL": "is empty",
  "IS NOT NULL": "is not empty",
  CONTAINS: "contains",
  "NOT CONTAINS": "does not contain",
  IN: "is one of",
  "NOT IN": "is none of",
};

const DATE_HELP = "-30d, -6m, today or 2025-01-31";

function ValueField(props: {
  label: string;
  type: string | undefined;
  enumValues?: readonly string[];
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { label, type, enumValues, value, error, onChange } = props;
  if (type === "enum" || type === "boolean") {
    const values = type === "enum" ? (enumValues ?? []) : ["true", "false"];
    const options = values.map((v) => ({ label: enumLabel(v), value: v }));
    if (!values.includes(value)) options.unshift({ label: value || "Choose…", value });
    return <Select label={label} labelHidden options={options} value={value} onChange={onChange} error={error} />;
  }
  return (
    <TextField
      label={label}
      labelHidden
      autoComplete="off"
      value={value}
      onChange={onChange}
      error={error}
      placeholder={
        type === "date"
          ? DATE_HELP
          : type === "number" || type === "money"
            ? "0"
            : type === "id"
              ? "Product ID"
              : "text"
      }
      monospaced={type === "date"}
    />
  );
}

export function RuleBuilder({ root, issues, onChange }: Props) {
  const set = (path: Path, fn: (node: BuilderNode) => BuilderNode) =>
    onChange(updateAt(root, path, fn) as BuilderGroup);
  const replace = (next: BuilderNode) =>
    onChange(next.kind === "group" ? next : { kind: "group", op: "and", children: [next] });

  const renderNode = (node: BuilderNode, path: Path): JSX.Element => {
    switch (node.kind) {
      case "group":
        return (
          <div key={path.join(".")} data-builder-group={path.length === 0 ? "root" : path.join(".")}>
            {groupView(node, path)}
          </div>
        );
      case "not":
        return (
          <Box key={path.join(".")} padding="200" borderWidth="025" borderColor="border-critical" borderRadius="200">
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center">
                <Badge tone="critical">NOT</Badge>
                <Text as="span" variant="bodySm" tone="subdued">
                  customers who do not match:
                </Text>
                <Button variant="plain" onClick={() => replace(toggleNot(root, path))}>
                  Remove NOT
                </Button>
              </InlineStack>
              {renderNode(node.child, [...path, 0])}
            </BlockStack>
          </Box>
        );
      case "condition":
        return <div key={path.join(".")}>{conditionView(node, path)}</div>;
      case "function":
        return <div key={path.join(".")}>{functionView(node, path)}</div>;
    }
  };

  // Plain functions, not components: a component type defined in here would be new on every render
  // and React would remount the fields (losing focus) on each keystroke.
  function groupView(node: BuilderGroup, path: Path) {
    const childrenError = issueFor(issues, path, "children");
    return (
      <Box
        padding="300"
        borderWidth="025"
        borderColor="border"
        borderRadius="200"
        background={path.length % 2 ? "bg-surface-secondary" : "bg-surface"}
      >
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" variant="bodySm">
              Customers matching
            </Text>
            <ButtonGroup variant="segmented">
              <Button
                pressed={node.op === "and"}
                onClick={() => set(path, (g) => ({ ...(g as BuilderGroup), op: "and" }))}
              >
                All (AND)
              </Button>
              <Button
                pressed={node.op === "or"}
                onClick={() => set(path, (g) => ({ ...(g as BuilderGroup), op: "or" }))}
              >
                Any (OR)
              </Button>
            </ButtonGroup>
            <Text as="span" variant="bodySm">
              of these
            </Text>
            {path.length > 0 ? (
              <>
                <Button variant="plain" onClick={() => replace(toggleNot(root, path))}>
                  NOT
                </Button>
                <Button variant="plain" tone="critical" onClick={() => replace(removeAt(root, path))}>
                  Remove group
                </Button>
              </>
            ) : null}
          </InlineStack>
          {node.children.map((child, i) => renderNode(child, [...path, i]))}
          {childrenError ? <InlineError message={childrenError} fieldID={`group-${path.join("-")}`} /> : null}
          <InlineStack gap="200">
            <Button onClick={() => replace(appendChild(root, path, newCondition()))}>Add condition</Button>
            <Button onClick={() => replace(appendChild(root, path, newFunction()))}>
              Add purchase or order filter
            </Button>
            <Button
              onClick={() =>
                replace(
                  appendChild(root, path, {
                    kind: "group",
                    op: node.op === "and" ? "or" : "and",
                    children: [newCondition()],
                  }),
                )
              }
            >
              Add group
            </Button>
          </InlineStack>
        </BlockStack>
      </Box>
    );
  }

  function conditionView(node: BuilderCondition, path: Path) {
    const def = getAttribute(node.attribute);
    const operators = def ? OPERATORS_BY_TYPE[def.type] : [];
    const update = (next: BuilderCondition) => set(path, () => next);
    return (
      <Box padding="200" borderWidth="025" borderColor="border-secondary" borderRadius="200">
        <InlineStack gap="200" blockAlign="start" wrap>
          <Select
            label="Attribute"
            labelHidden
            options={BUILDER_ATTRIBUTES.map((a) => ({ label: a.name, value: a.name }))}
            value={node.attribute}
            onChange={(v) => update(changeAttribute(node, v))}
            error={issueFor(issues, path, "attribute")}
            helpText={def?.description}
          />
          <Select
            label="Operator"
            labelHidden
            options={operators.map((o) => ({ label: `${OPERATOR_LABELS[o] ?? o} (${o})`, value: o }))}
            value={node.operator}
            onChange={(v) => update(changeOperator(node, v as ConditionOperator))}
            error={issueFor(issues, path, "operator")}
          />
          {operatorTakesValue(node.operator) ? (
            <ValueField
              label="Value"
              type={def?.type}
              enumValues={def?.enumValues}
              value={node.value}
              error={issueFor(issues, path, "value")}
              onChange={(v) => update({ ...node, value: v })}
            />
          ) : null}
          {node.operator === "BETWEEN" ? (
            <>
              <Text as="span">and</Text>
              <ValueField
                label="Upper value"
                type={def?.type}
                enumValues={def?.enumValues}
                value={node.high}
                error={issueFor(issues, path, "high")}
                onChange={(v) => update({ ...node, high: v })}
              />
            </>
          ) : null}
          <Button variant="plain" onClick={() => replace(toggleNot(root, path))}>
            NOT
          </Button>
          <Button variant="plain" tone="critical" onClick={() => replace(removeAt(root, path))}>
            Remove
          </Button>
        </InlineStack>
      </Box>
    );
  }

  function functionView(node: BuilderFunction, path: Path) {
    const fn = getFunction(node.name);
    const update = (next: BuilderFunction) => set(path, () => next);
    const setArg = (i: number, arg: BuilderArg) =>
      update({ ...node, args: node.args.map((a, j) => (j === i ? arg : a)) });
    return (
      <Box padding="200" borderWidth="025" borderColor="border-secondary" borderRadius="200">
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center" wrap>
            <Select
              label="Function"
              labelHidden
              options={BUILDER_FUNCTIONS.map((f) => ({ label: f.name, value: f.name }))}
              value={node.name}
              onChange={(v) => update(newFunction(v))}
              error={issueFor(issues, path, "name")}
            />
            <Select
              label="Matches"
              labelHidden
              options={[
                { label: "matches (MATCHES)", value: "matches" },
                { label: "does not match (NOT MATCHES)", value: "not" },
              ]}
              value={node.negated ? "not" : "matches"}
              onChange={(v) => update({ ...node, negated: v === "not" })}
            />
            <Text as="span" variant="bodySm" tone="subdued">
              {fn?.description}
            </Text>
            <Button variant="plain" onClick={() => replace(toggleNot(root, path))}>
              NOT
            </Button>
            <Button variant="plain" tone="critical" onClick={() => replace(removeAt(root, path))}>
              Remove
            </Button>
          </InlineStack>
          {node.args.map((arg, i) => {
            const type = paramType(node.name, arg.name);
            const param = fn ? getParam(fn, arg.name) : undefined;
            const operators: readonly ArgOperator[] = param ? argOperators(param) : [];
            const listy = arg.operator === "IN" || arg.operator === "NOT IN";
            return (
              <Box key={i} paddingInlineStart="400">
                <InlineStack gap="200" blockAlign="start" wrap>
                  <Select
                    label="Parameter"
                    labelHidden
                    options={Object.entries(fn?.params ?? {}).map(([name, p]) => ({
                      label: `${name} (${p.description})`,
                      value: name,
                    }))}
                    value={arg.name}
                    onChange={(v) => setArg(i, changeArgName(node.name, arg, v))}
                    error={issueFor(issues, path, "name", i)}
                  />
                  <Select
                    label="Parameter operator"
                    labelHidden
                    options={operators.map((o) => ({ label: `${OPERATOR_LABELS[o] ?? o} (${o})`, value: o }))}
                    value={arg.operator}
                    onChange={(v) => setArg(i, changeArgOperator(arg, v as ArgOperator))}
                    error={issueFor(issues, path, "operator", i)}
                  />
                  {listy ? (
                    <BlockStack gap="100">
                      {arg.items.map((item, j) => (
                        <InlineStack key={j} gap="100" blockAlign="center">
                          <ValueField
                            label={`Value ${j + 1}`}
                            type={type}
                            value={item}
                            error={issueFor(issues, path, "items", i, j)}
                            onChange={(v) => setArg(i, { ...arg, items: arg.items.map((x, k) => (k === j ? v : x)) })}
                          />
                          <Button
                            variant="plain"
                            onClick={() => setArg(i, { ...arg, items: arg.items.filter((_, k) => k !== j) })}
                          >
                            Remove value
                          </Button>
                        </InlineStack>
                      ))}
                      {arg.items.length === 0 ? (
                        <InlineError message={issueFor(issues, path, "items", i) ?? ""} fieldID={`items-${i}`} />
                      ) : null}
                      <Button variant="plain" onClick={() => setArg(i, { ...arg, items: [...arg.items, ""] })}>
                        Add value
                      </Button>
                    </BlockStack>
                  ) : (
                    <ValueField
                      label="Parameter value"
                      type={type}
                      value={arg.value}
                      error={issueFor(issues, path, "value", i)}
                      onChange={(v) => setArg(i, { ...arg, value: v })}
                    />
                  )}
                  {arg.operator === "BETWEEN" ? (
                    <>
                      <Text as="span">and</Text>
                      <ValueField
                        label="Parameter upper value"
                        type={type}
                        value={arg.high}
                        error={issueFor(issues, path, "high", i)}
                        onChange={(v) => setArg(i, { ...arg, high: v })}
                      />
                    </>
                  ) : null}
                  <Button
                    variant="plain"
                    tone="critical"
                    onClick={() => update({ ...node, args: node.args.filter((_, j) => j !== i) })}
                  >
                    Remove parameter
                  </Button>
                </InlineStack>
              </Box>
            );
          })}
          {fn && node.args.length < Object.keys(fn.params).length ? (
            <Box paddingInlineStart="400">
              <Button
                variant="plain"
                onClick={() => update({ ...node, args: [...node.args, newArg(node.name, undefined, node.args)] })}
              >
                Add parameter
              </Button>
            </Box>
          ) : null}
        </BlockStack>
      </Box>
    );
  }

  return <div data-rule-builder>{renderNode(root, [])}</div>;
}
