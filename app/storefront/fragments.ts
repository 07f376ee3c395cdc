// The proxy's `application/liquid` form: the same banner and product cards as the blocks' markup, as
// an HTML fragment Shopify renders inside the shop's theme. Everything is escaped, and so are braces:
// Shopify runs the body through Liquid, so a merchant's "{{" or "{%" must stay text
// (APP_PROXY_LIQUID_INJECTION).
import type { BannerView, ProductView } from "~/models/campaigns/decide.server";

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Liquid's delimiters as entities: the browser shows them, Liquid does not see them. */
export function inertForLiquid(html: string): string {
  return html.replace(/\{/g, "&#123;").replace(/\}/g, "&#125;");
}

export function bannerFragment(banner: BannerView | null): string {
  if (!banner) return inertForLiquid(`<div class="tailored-banner" data-tailored-state="fallback"></div>`);
  const parts = [
    `<div class="tailored-banner" data-tailored-state="personalized" style="--tailored-fg: ${escapeHtml(banner.textColor)}; --tailored-bg: ${escapeHtml(banner.backgroundColor)};">`,
    `<div class="tailored-banner__inner">`,
    banner.imageUrl
      ? `<img class="tailored-banner__image" src="${escapeHtml(banner.imageUrl)}" alt="" width="1200" height="600">`
      : "",
    `<div class="tailored-banner__copy"><h2 class="tailored-banner__headline">${escapeHtml(banner.headline)}</h2>`,
    // Sanitized with the allow-list when it was saved (app/domain/sanitize.ts).
    banner.bodyHtml ? `<div class="tailored-banner__text">${banner.bodyHtml}</div>` : "",
    banner.buttonLabel && banner.buttonLink
      ? `<a class="tailored-banner__button" href="${escapeHtml(banner.buttonLink)}">${escapeHtml(banner.buttonLabel)}</a>`
      : "",
    `</div></div></div>`,
  ];
  return inertForLiquid(parts.join(""));
}

export function productsFragment(products: readonly ProductView[], showPrice = true): string {
  const cards = products.map(
    (p) =>
      `<li class="tailored-card"><a class="tailored-card__link" href="${escapeHtml(p.url)}">` +
      (p.imageUrl
        ? `<img class="tailored-card__image" src="${escapeHtml(p.imageUrl)}" alt="${escapeHtml(p.title)}" width="400" height="400" loading="lazy">`
        : `<span class="tailored-card__image tailored-card__image--empty" aria-hidden="true"></span>`) +
      `<span class="tailored-card__title">${escapeHtml(p.title)}</span>` +
      (showPrice && p.price ? `<span class="tailored-card__price">${escapeHtml(p.price)}</span>` : "") +
      `</a></li>`,
  );
  return inertForLiquid(`<ul class="tailored-recs__list" role="list">${cards.join("")}</ul>`);
}
