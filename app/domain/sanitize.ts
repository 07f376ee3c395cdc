// Merchant-entered text that reaches the storefront. The banner's body may hold a little formatting,
// through an allow-list (sanitize-html): no script, style, iframe, form or event handler, no URL scheme
// but http, https and mailto, no attribute but a link's href. Everything else is plain text, escaped
// where it is written (JSX, Liquid's `escape`), and URLs are checked by `safeUrl`.
import sanitizeHtml from "sanitize-html";

const BANNER_HTML: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "strong", "b", "em", "i", "u", "s", "small", "span", "ul", "ol", "li", "a"],
  // rel is written by the transform below (transforms run before the attribute filter).
  allowedAttributes: { a: ["href", "rel"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // Content of these goes with them (the default keeps the text of a discarded tag).
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "title", "iframe", "object"],
  transformTags: {
    a: (tagName, attribs) => {
      const kept: sanitizeHtml.Attributes = {};
      if (attribs.href) Object.assign(kept, { href: attribs.href, rel: "noopener" });
      return { tagName, attribs: kept };
    },
  },
};

/** The banner body's HTML, reduced to the allow-list. */
export function sanitizeBannerHtml(html: string): string {
  return sanitizeHtml(html, BANNER_HTML).trim();
}

/** Plain text: every tag removed (their text kept), entities left for the writer to escape. */
export function plainText(text: string): string {
  return (
    sanitizeHtml(text, { allowedTags: [], allowedAttributes: {}, nonTextTags: BANNER_HTML.nonTextTags })
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      .replace(/[\u0000-\u001f\u007f]/g, " ")
      .trim()
  );
}

/**
 * A link or image address a merchant typed: https (or http) absolute URLs, or a path on the shop
 * ("/collections/sale"); anything else (javascript:, data:, protocol-relative //evil, control
 * characters) is null.
 */
export function safeUrl(value: string, { allowPath = true }: { allowPath?: boolean } = {}): string | null {
  const v = value.trim();
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (v === "" || /[\u0000-\u001f\u007f\s"'<>`\\]/.test(v)) return null;
  if (allowPath && v.startsWith("/") && !v.startsWith("//")) return v;
  try {
    const url = new URL(v);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** A CSS colour as #rgb or #rrggbb, or null. */
export function safeColour(value: string): string | null {
  const v = value.trim();
  return /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v) ? v.toLowerCase() : null;
}
