// The Query tab's editor: a textarea with autocomplete (an ARIA combobox: ↑ ↓ choose, Enter or Tab
// insert at the caret, Esc closes, Ctrl+Space opens), the shop's own values from /app/segment-values,
// and mistakes shown half a second after typing stops, in words and underlined where they are. The
// underline is drawn in a mirror of the text behind the transparent textarea, with the same font,
// padding and wrapping, so it stays under the right characters when the text wraps (at 390 px too);
// the mirror also sizes the field to its text, so neither ever scrolls apart.
import { useFetcher } from "@remix-run/react";
import { InlineError, Text } from "@shopify/polaris";
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import {
  applyCompletion,
  completionsAt,
  filterCompletions,
  parse,
  quote,
  type Completion,
  type ParseError,
} from "~/domain/segments/query-language";
import type { VocabularyEntry } from "~/domain/segments/vocabulary";

/** How long typing must stop before a mistake is shown. */
export const ERROR_PAUSE_MS = 500;
const VALUES_PAUSE_MS = 150;
const MAX_ITEMS = 50;

const CSS = `
.tq-field { position: relative; }
.tq-box, .tq-input {
  box-sizing: border-box; width: 100%; margin: 0; min-height: 76px;
  padding: 7px 12px; border: 1px solid transparent; border-radius: var(--p-border-radius-200);
  font-family: var(--p-font-family-mono); font-size: 14px; line-height: 20px; letter-spacing: normal;
  white-space: pre-wrap; word-wrap: break-word; overflow-wrap: break-word; tab-size: 4;
}
.tq-box { color: transparent; background: var(--p-color-input-bg-surface); border-color: var(--p-color-input-border); }
.tq-input {
  position: absolute; inset: 0; height: 100%; resize: none; overflow: hidden;
  background: transparent; color: var(--p-color-text); caret-color: var(--p-color-text);
}
.tq-input:focus { outline: var(--p-border-width-050) solid var(--p-color-border-focus); outline-offset: 1px; }
.tq-field[data-invalid="true"] .tq-box { border-color: var(--p-color-border-critical); background: var(--p-color-bg-surface-critical); }
.tq-mark {
  text-decoration: underline wavy var(--p-color-text-critical); text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; text-underline-offset: 3px;
}
.tq-mark-end { display: inline-block; width: 1ch; border-bottom: 2px solid var(--p-color-text-critical); }
.tq-list {
  position: absolute; left: 0; z-index: 30; box-sizing: border-box; width: min(100%, 34rem); max-height: 16rem;
  overflow-y: auto; margin: 0; padding: var(--p-space-150) 0; list-style: none;
  background: var(--p-color-bg-surface); border-radius: var(--p-border-radius-300); box-shadow: var(--p-shadow-600);
}
.tq-option { display: flex; gap: var(--p-space-200); align-items: baseline; padding: var(--p-space-150) var(--p-space-300); cursor: pointer; }
.tq-option[aria-selected="true"] { background: var(--p-color-bg-surface-selected); box-shadow: inset 3px 0 0 var(--p-color-border-emphasis); }
.tq-option code { font-family: var(--p-font-family-mono); font-size: 13px; white-space: nowrap; }
.tq-detail { color: var(--p-color-text-secondary); font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
`;

type Values = { values: VocabularyEntry[] };

/** A value of the shop as an offer: IDs bare, everything else quoted. */
function valueItem(entry: VocabularyEntry, kind: string): Completion {
  const bare = kind === "product" || kind === "collection";
  return {
    label: bare ? entry.label : entry.value,
    insert: bare ? entry.value : quote(entry.value),
    kind: "value",
    detail: bare
      ? `ID ${entry.value}`
      : entry.label !== entry.value
        ? entry.label
        : `${entry.count.toLocaleString("en-US")} in your shop`,
  };
}

/** "Expected a number after '>'" from the parser's "expected a number after '>'". */
const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

/** The text in pieces, the mistakes marked and the caret's place held by an empty span. */
function mirrored(text: string, errors: readonly ParseError[], caret: number, marker: React.Ref<HTMLSpanElement>) {
  const cuts = new Set([0, text.length, caret]);
  const marks = errors.map((e) => {
    // A mistake of no width inside the text marks the character it is at.
    const length = e.length === 0 && e.offset < text.length ? 1 : e.length;
    cuts.add(e.offset).add(e.offset + length);
    return { from: e.offset, to: e.offset + length };
  });
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const out: ReactNode[] = [];
  for (let i = 0; i < points.length; i++) {
    const at = points[i]!;
    if (at === caret) out.push(<span key={`caret-${at}`} ref={marker} data-caret="" />);
    const next = points[i + 1];
    if (next === undefined) break;
    const piece = text.slice(at, next);
    const marked = marks.some((m) => m.from <= at && next <= m.to);
    out.push(
      marked ? (
        <span key={at} className="tq-mark" data-error-mark="">
          {piece}
        </span>
      ) : (
        piece
      ),
    );
  }
  if (marks.some((m) => m.from === text.length && m.to === text.length))
    out.push(<span key="end" className="tq-mark-end" data-error-mark="" />);
  // A trailing line break needs a character after it to take its height.
  out.push(" ");
  return out;
}

export function QueryEditor(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  helpText?: ReactNode;
  /** A mistake only the server can see (the shop's data, a save that failed), shown when the text parses. */
  serverError?: string;
  /** Where the caret is, for the reference's Insert. */
  onCaret?: (caret: number) => void;
  /** Moves the caret once the parent has put new text in (the reference's Insert). */
  caretRequest?: { caret: number; seq: number };
}) {
  const { label, value, onChange, helpText, serverError, onCaret, caretRequest } = props;
  const id = useId().replace(/:/g, "");
  const inputId = `query-${id}`;
  const listId = `${inputId}-list`;
  const helpId = `${inputId}-help`;
  const errorId = `${inputId}Error`;
  const input = useRef<HTMLTextAreaElement>(null);
  const marker = useRef<HTMLSpanElement>(null);
  const [caret, setCaret] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [focused, setFocused] = useState(false);
  const [listTop, setListTop] = useState(0);
  const pendingCaret = useRef<number | null>(null);
  const values = useFetcher<Values>();

  // Mistakes appear once typing pauses; while typing, the old ones (at old places) are hidden.
  const [check, setCheck] = useState(() => ({ text: value, errors: errorsOf(value) }));
  useEffect(() => {
    if (check.text === value) return;
    const timer = setTimeout(() => setCheck({ text: value, errors: errorsOf(value) }), ERROR_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [value, check.text]);
  const checked = check.text === value;

  const completion = useMemo(() => completionsAt(value, caret), [value, caret]);
  const vocabulary = completion.vocabulary;
  const valuesUrl = vocabulary
    ? `/app/segment-values?kind=${vocabulary.kind}&q=${encodeURIComponent(completion.typed)}&limit=20`
    : null;
  useEffect(() => {
    if (!valuesUrl || !open) return;
    const timer = setTimeout(() => values.load(valuesUrl), VALUES_PAUSE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [valuesUrl, open]);

  const items = useMemo(() => {
    const own =
      vocabulary && values.data?.values
        ? filterCompletions(
            values.data.values.map((e) => valueItem(e, vocabulary.kind)),
            completion.typed,
          )
        : [];
    const all = [...completion.items, ...own].slice(0, MAX_ITEMS);
    // Nothing to offer when the only offer is what is already written.
    const only = all.length === 1 ? all[0] : undefined;
    if (only && only.label.toLowerCase() === completion.typed.toLowerCase()) return [];
    return all;
  }, [completion, vocabulary, values.data]);

  const expanded = open && focused && items.length > 0;
  const activeIndex = Math.min(active, Math.max(0, items.length - 1));
  const optionId = (i: number) => `${listId}-${i}`;

  // The list opens under the caret's line (read from the mirror), and the chosen option stays in view.
  useLayoutEffect(() => {
    if (!expanded || !marker.current) return;
    setListTop(marker.current.offsetTop + 20 + 4);
  }, [expanded, value, caret]);
  useEffect(() => {
    if (expanded) document.getElementById(optionId(activeIndex))?.scrollIntoView({ block: "nearest" });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [expanded, activeIndex]);

  // After an insert (ours or the reference's), the caret goes where the inserted text ends.
  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null || !input.current) return;
    pendingCaret.current = null;
    input.current.focus();
    input.current.setSelectionRange(at, at);
    setCaret(at);
  }, [value]);
  useEffect(() => {
    if (!caretRequest || !input.current) return;
    input.current.focus();
    input.current.setSelectionRange(caretRequest.caret, caretRequest.caret);
    setCaret(caretRequest.caret);
    setOpen(false);
  }, [caretRequest]);

  const track = (el: HTMLTextAreaElement) => {
    setCaret(el.selectionStart);
    onCaret?.(el.selectionStart);
  };

  const choose = (item: Completion) => {
    const next = applyCompletion(value, completion, item.insert);
    pendingCaret.current = next.caret;
    setActive(0);
    setOpen(true);
    if (next.text === value) {
      input.current?.setSelectionRange(next.caret, next.caret);
      setCaret(next.caret);
    } else onChange(next.text);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === " " && e.ctrlKey) {
      e.preventDefault();
      setOpen(true);
      return;
    }
    if (!expanded) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((activeIndex + step + items.length) % items.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      const item = items[activeIndex];
      if (!item) return;
      e.preventDefault();
      choose(item);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  };

  const shownErrors = checked ? check.errors : [];
  // The server's word waits for the same pause, and for the text to have no mistake we can place.
  const serverShown = checked && shownErrors.length === 0 && serverError && value.trim() ? serverError : undefined;
  const invalid = shownErrors.length > 0 || serverShown !== undefined;

  return (
    <div>
      <style dangerouslySetInnerHTML={{ __html: CSS }} />
      <div style={{ marginBottom: "var(--p-space-100)" }}>
        <label htmlFor={inputId}>
          <Text as="span" variant="bodyMd">
            {label}
          </Text>
        </label>
      </div>
      <div className="tq-field" data-invalid={invalid ? "true" : "false"}>
        <div className="tq-box" aria-hidden="true" data-query-mirror="">
          {mirrored(value, shownErrors, caret, marker)}
        </div>
        <textarea
          ref={input}
          id={inputId}
          className="tq-input"
          value={value}
          spellCheck={false}
          autoComplete="off"
          autoCapitalize="off"
          role="combobox"
          aria-autocomplete="list"
          aria-haspopup="listbox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={expanded ? optionId(activeIndex) : undefined}
          aria-invalid={invalid}
          aria-describedby={[invalid ? errorId : null, helpText ? helpId : null].filter(Boolean).join(" ") || undefined}
          onChange={(e) => {
            onChange(e.target.value);
            track(e.target);
            setOpen(true);
            setActive(0);
          }}
          onSelect={(e) => track(e.currentTarget)}
          onKeyDown={onKeyDown}
          onFocus={() => setFocused(true)}
          onBlur={() => {
            setFocused(false);
            setOpen(false);
          }}
        />
        <ul
          id={listId}
          role="listbox"
          aria-label={`Suggestions for ${label}`}
          className="tq-list"
          hidden={!expanded}
          style={{ top: listTop }}
        >
          {expanded
            ? items.map((item, i) => (
                <li
                  key={`${item.kind}-${item.label}-${i}`}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === activeIndex}
                  className="tq-option"
                  // Keep the focus (and the caret) in the field.
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(item)}
                  onMouseEnter={() => setActive(i)}
                >
                  <code>{item.label}</code>
                  {item.detail ? <span className="tq-detail">{item.detail}</span> : null}
                </li>
              ))
            : null}
        </ul>
      </div>
      {invalid ? (
        <div style={{ marginTop: "var(--p-space-100)" }} data-query-errors="">
          <InlineError
            fieldID={inputId}
            message={
              serverShown ? (
                <span style={{ whiteSpace: "pre-wrap" }}>{serverShown}</span>
              ) : (
                <span>
                  {shownErrors.map((e, i) => (
                    <span key={i} style={{ display: "block" }}>
                      {sentence(e.message)} (line {e.line}, column {e.column})
                    </span>
                  ))}
                </span>
              )
            }
          />
        </div>
      ) : null}
      {helpText ? (
        <div id={helpId} style={{ marginTop: "var(--p-space-100)" }}>
          <Text as="span" tone="subdued">
            {helpText}
          </Text>
        </div>
      ) : null}
    </div>
  );
}

function errorsOf(text: string): ParseError[] {
  if (!text.trim()) return [];
  const parsed = parse(text);
  return parsed.ok ? [] : parsed.errors;
}
