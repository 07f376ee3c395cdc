// The segment editor's visual builder, for merchants rather than parsers: groups (all of / any of),
// NOT, conditions in plain words ("Amount spent is at least", "Last order date in the last 90 days",
// "RFM group is any of Champions, Loyal"), values suggested from the shop's own data, products and
// collections chosen by title. It edits a BuilderNode tree (app/domain/segments/builder.ts); the editor
// prints every change back to the query text. A condition just added shows no error until it is
// edited or a save is tried; every field and repeated button has its own accessible name.
import { Badge, BlockStack, Box, Button, ButtonGroup, InlineError, InlineStack, Select, Text } from "@shopify/polaris";
import { DateInput } from "~/components/builder/DateInput";
import { OperandInputs } from "~/components/builder/OperandInputs";
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
  appendChild,
  changeArgName,
  changeArgOperator,
  changeAttribute,
  changeOperator,
  newArg,
  newCondition,
  newFunction,
  nodeAt,
  removeAt,
  toggleNot,
  touch,
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
import {
  functionLabel,
  fullParamLabel,
  groupedChoices,
  isTailoredOnly,
  operatorLabel,
  paramLabel,
  TAILORED_ONLY_NOTE,
} from "~/domain/segments/builder/labels";
import { vocabularyKindOfAttribute, vocabularyKindOfParam } from "~/domain/segments/vocabulary";

type Props = {
  root: BuilderGroup;
  issues: readonly BuilderIssue[];
  onChange: (root: BuilderGroup) => void;
  /** Inside Shopify admin: products are chosen with App Bridge's resource picker. */
  embedded?: boolean;
  /** After a save was tried: show the problems of conditions not edited yet, too. */
  showAllErrors?: boolean;
};

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((v, i) => v === b[i]);
const keyOf = (path: Path) => path.join(".");

/** Conditions and groups numbered in reading order, for accessible names ("Remove condition 2"). */
function numbering(root: BuilderGroup): Map<string, number> {
  const numbers = new Map<string, number>();
  let conditions = 0;
  let groups = 0;
  const walk = (node: BuilderNode, path: Path) => {
    if (node.kind === "group") {
      if (path.length > 0) numbers.set(`g${keyOf(path)}`, ++groups);
      node.children.forEach((c, i) => walk(c, [...path, i]));
    } else if (node.kind === "not") walk(node.child, [...path, 0]);
    else numbers.set(`c${keyOf(path)}`, ++conditions);
  };
  walk(root, []);
  return numbers;
}

const ATTRIBUTE_CHOICES = groupedChoices("attribute");
const FUNCTION_CHOICES = groupedChoices("function");

export function RuleBuilder({ root, issues, onChange, embedded = false, showAllErrors = false }: Props) {
  const set = (path: Path, fn: (node: BuilderNode) => BuilderNode) =>
    onChange(updateAt(root, path, fn) as BuilderGroup);
  const replace = (next: BuilderNode) =>
    onChange(next.kind === "group" ? next : { kind: "group", op: "and", children: [next] });
  const numbers = numbering(root);
  const conditionNo = (path: Path) => numbers.get(`c${keyOf(path)}`) ?? 0;
  const groupNo = (path: Path) => numbers.get(`g${keyOf(path)}`) ?? 0;

  // A condition not edited since it was added, and the empty builder itself, are not wrong yet.
  const shown = showAllErrors
    ? issues
    : issues.filter((i) => {
        if (i.path.length === 0 && i.field === "children") return false;
        const node = nodeAt(root, i.path);
        return !(node && (node.kind === "condition" || node.kind === "function") && node.fresh);
      });
  const issueFor = (path: Path, field: BuilderField, arg?: number, item?: number) =>
    shown.find(
      (i) => samePath(i.path, path) && i.field === field && i.arg === arg && (item === undefined || i.item === item),
    )?.message;

  const renderNode = (node: BuilderNode, path: Path): JSX.Element => {
    switch (node.kind) {
      case "group":
        return (
          <div key={keyOf(path)} data-builder-group={path.length === 0 ? "root" : keyOf(path)}>
            {groupView(node, path)}
          </div>
        );
      case "not":
        return (
          <Box key={keyOf(path)} padding="200" borderWidth="025" borderColor="border-critical" borderRadius="200">
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
        return <div key={keyOf(path)}>{conditionView(node, path)}</div>;
      case "function":
        return <div key={keyOf(path)}>{functionView(node, path)}</div>;
    }
  };

  // Plain functions, not components: a component type defined in here would be new on every render
  // and React would remount the fields (losing focus) on each keystroke.
  function groupView(node: BuilderGroup, path: Path) {
    const childrenError = issueFor(path, "children");
    const name = path.length === 0 ? "" : ` to group ${groupNo(path)}`;
    const which = path.length === 0 ? "all conditions" : `group ${groupNo(path)}`;
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
                accessibilityLabel={`Match all of ${which}`}
                onClick={() => set(path, (g) => ({ ...(g as BuilderGroup), op: "and" }))}
              >
                All
              </Button>
              <Button
                pressed={node.op === "or"}
                accessibilityLabel={`Match any of ${which}`}
                onClick={() => set(path, (g) => ({ ...(g as BuilderGroup), op: "or" }))}
              >
                Any
              </Button>
            </ButtonGroup>
            <Text as="span" variant="bodySm">
              of these
            </Text>
            {path.length > 0 ? (
              <>
                <Button
                  variant="plain"
                  accessibilityLabel={`NOT group ${groupNo(path)}`}
                  onClick={() => replace(toggleNot(root, path))}
                >
                  NOT
                </Button>
                <Button
                  variant="plain"
                  tone="critical"
                  accessibilityLabel={`Remove group ${groupNo(path)}`}
                  onClick={() => replace(removeAt(root, path))}
                >
                  Remove group
                </Button>
              </>
            ) : null}
          </InlineStack>
          {node.children.map((child, i) => renderNode(child, [...path, i]))}
          {childrenError ? <InlineError message={childrenError} fieldID={`group-${path.join("-")}`} /> : null}
          <InlineStack gap="200">
            <Button
              accessibilityLabel={`Add condition${name}`}
              onClick={() => replace(appendChild(root, path, newCondition()))}
            >
              Add condition
            </Button>
            <Button
              accessibilityLabel={`Add purchase or browsing filter${name}`}
              onClick={() => replace(appendChild(root, path, newFunction()))}
            >
              Add purchase or browsing filter
            </Button>
            <Button
              accessibilityLabel={`Add group${name}`}
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

  function rowButtons(path: Path) {
    const n = conditionNo(path);
    return (
      <>
        <Button
          variant="plain"
          accessibilityLabel={`NOT condition ${n}`}
          onClick={() => replace(toggleNot(root, path))}
        >
          NOT
        </Button>
        <Button
          variant="plain"
          tone="critical"
          accessibilityLabel={`Remove condition ${n}`}
          onClick={() => replace(removeAt(root, path))}
        >
          Remove
        </Button>
      </>
    );
  }

  function conditionView(node: BuilderCondition, path: Path) {
    const def = getAttribute(node.attribute);
    const operators = def ? OPERATORS_BY_TYPE[def.type] : [];
    const update = (next: BuilderCondition) => set(path, () => touch(next));
    const label = `Condition ${conditionNo(path)}`;
    const vocabulary = vocabularyKindOfAttribute(node.attribute);
    const help = [def?.description, isTailoredOnly(node.attribute) ? TAILORED_ONLY_NOTE : undefined]
      .filter(Boolean)
      .join(". ");
    return (
      <Box padding="200" borderWidth="025" borderColor="border-secondary" borderRadius="200">
        <InlineStack gap="200" blockAlign="start" wrap>
          <Select
            label={`${label} attribute`}
            labelHidden
            options={ATTRIBUTE_CHOICES}
            value={node.attribute}
            onChange={(v) => update(changeAttribute(node, v))}
            error={issueFor(path, "attribute")}
            helpText={help}
          />
          {def?.type === "date" ? (
            <DateInput
              label={label}
              kind="attribute"
              parts={node}
              hint={node.dateMode}
              operators={operators}
              error={issueFor(path, "value") ?? issueFor(path, "high")}
              onChange={(parts, dateMode) =>
                update({
                  ...node,
                  operator: parts.operator as ConditionOperator,
                  value: parts.value,
                  high: parts.high,
                  dateMode,
                })
              }
            />
          ) : (
            <>
              <Select
                label={`${label} operator`}
                labelHidden
                options={operators.map((o) => ({ label: operatorLabel(o, def?.type), value: o }))}
                value={node.operator}
                onChange={(v) => update(changeOperator(node, v as ConditionOperator))}
                error={issueFor(path, "operator")}
              />
              <OperandInputs
                label={label}
                type={def?.type}
                enumValues={def?.enumValues}
                vocabulary={vocabulary}
                embedded={embedded}
                operand={node}
                errorOf={(field, item) => issueFor(path, field, undefined, item)}
                onChange={(operand) => update({ ...node, ...operand })}
              />
            </>
          )}
          {rowButtons(path)}
        </InlineStack>
      </Box>
    );
  }

  function functionView(node: BuilderFunction, path: Path) {
    const fn = getFunction(node.name);
    const update = (next: BuilderFunction) => set(path, () => touch(next));
    const setArg = (i: number, arg: BuilderArg) =>
      update({ ...node, args: node.args.map((a, j) => (j === i ? arg : a)) });
    const label = `Condition ${conditionNo(path)}`;
    const help = [fn?.description, isTailoredOnly(node.name) ? TAILORED_ONLY_NOTE : undefined]
      .filter(Boolean)
      .join(". ");
    return (
      <Box padding="200" borderWidth="025" borderColor="border-secondary" borderRadius="200">
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="start" wrap>
            <Select
              label={`${label} filter`}
              labelHidden
              options={FUNCTION_CHOICES}
              value={node.name}
              onChange={(v) => update(newFunction(v))}
              error={issueFor(path, "name")}
              helpText={help}
            />
            <Select
              label={`${label} match`}
              labelHidden
              options={[
                { label: "at least once", value: "matches" },
                { label: "never", value: "not" },
              ]}
              value={node.negated ? "not" : "matches"}
              onChange={(v) => update({ ...node, negated: v === "not" })}
            />
            {rowButtons(path)}
          </InlineStack>
          {node.args.map((arg, i) => {
            const param = fn ? getParam(fn, arg.name) : undefined;
            const type = param?.type;
            const operators: readonly ArgOperator[] = param ? argOperators(param) : [];
            const argLabel = `${label} ${paramLabel(node.name, arg.name)}`;
            const vocabulary = vocabularyKindOfParam(node.name, arg.name);
            return (
              <Box key={i} paddingInlineStart="400">
                <InlineStack gap="200" blockAlign="start" wrap>
                  <Select
                    label={`${label} filter ${i + 1}`}
                    labelHidden
                    options={Object.keys(fn?.params ?? {}).map((name) => ({
                      label: paramLabel(node.name, name),
                      value: name,
                    }))}
                    value={arg.name}
                    onChange={(v) => setArg(i, changeArgName(node.name, arg, v))}
                    error={issueFor(path, "name", i)}
                  />
                  {type === "date" ? (
                    <DateInput
                      label={argLabel}
                      kind="parameter"
                      parts={arg}
                      hint={arg.dateMode}
                      operators={operators}
                      error={issueFor(path, "value", i) ?? issueFor(path, "high", i)}
                      onChange={(parts, dateMode) =>
                        setArg(i, {
                          ...arg,
                          operator: parts.operator as ArgOperator,
                          value: parts.value,
                          high: parts.high,
                          dateMode,
                        })
                      }
                    />
                  ) : (
                    <>
                      <Select
                        label={`${argLabel} operator`}
                        labelHidden
                        options={operators.map((o) => ({ label: operatorLabel(o, type), value: o }))}
                        value={arg.operator}
                        onChange={(v) => setArg(i, changeArgOperator(arg, v as ArgOperator))}
                        error={issueFor(path, "operator", i)}
                      />
                      <OperandInputs
                        label={argLabel}
                        type={type}
                        vocabulary={vocabulary}
                        embedded={embedded}
                        operand={arg}
                        errorOf={(field, item) => issueFor(path, field, i, item)}
                        onChange={(operand) => setArg(i, { ...arg, ...operand })}
                      />
                    </>
                  )}
                  <Button
                    variant="plain"
                    tone="critical"
                    accessibilityLabel={`Remove filter: ${fullParamLabel(node.name, arg.name).toLowerCase()} from condition ${conditionNo(path)}`}
                    onClick={() => update({ ...node, args: node.args.filter((_, j) => j !== i) })}
                  >
                    Remove filter
                  </Button>
                </InlineStack>
              </Box>
            );
          })}
          {fn && node.args.length < Object.keys(fn.params).length ? (
            <Box paddingInlineStart="400">
              <Button
                variant="plain"
                accessibilityLabel={`Add filter to condition ${conditionNo(path)} (${functionLabel(node.name)})`}
                onClick={() => update({ ...node, args: [...node.args, newArg(node.name, undefined, node.args)] })}
              >
                Add filter
              </Button>
            </Box>
          ) : null}
        </BlockStack>
      </Box>
    );
  }

  return <div data-rule-builder>{renderNode(root, [])}</div>;
}
