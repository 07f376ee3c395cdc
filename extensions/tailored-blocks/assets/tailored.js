/* Tailored storefront blocks: asks the app proxy for this visitor's banner and products and swaps them
   in. No framework. Each block keeps its own Liquid fallback when the proxy is slow (timeout), fails,
   or has nothing to say. */
(function () {
  "use strict";
  var KEY = "tailored_vid";

  function visitor() {
    try {
      var id = localStorage.getItem(KEY);
      if (id) return { id: id, fresh: false };
      var bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map
        .call(bytes, function (b) {
          return ("0" + b.toString(16)).slice(-2);
        })
        .join("");
      localStorage.setItem(KEY, id);
      return { id: id, fresh: true };
    } catch (e) {
      return { id: "", fresh: false };
    }
  }

  // The visitor's clientId, which Tailored's Web Pixel leaves in a first-party cookie once the visitor
  // has allowed analytics: with it the app proxy can use this visit's browsing. No cookie, no `cid`.
  function clientId() {
    var m = /(?:^|;\s*)tailored_cid=([^;]+)/.exec(document.cookie || "");
    if (!m) return "";
    try {
      return decodeURIComponent(m[1]);
    } catch (e) {
      return "";
    }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function banner(root, data) {
    var b = data.banner;
    if (!b) return false;
    var inner = el("div", "tailored-banner__inner");
    inner.setAttribute("data-tailored-content", "");
    if (b.imageUrl) {
      var img = el("img", "tailored-banner__image");
      img.src = b.imageUrl;
      img.alt = "";
      img.width = 1200;
      img.height = 600;
      inner.appendChild(img);
    }
    var copy = el("div", "tailored-banner__copy");
    copy.appendChild(el("h2", "tailored-banner__headline", b.headline));
    if (b.bodyHtml) {
      var body = el("div", "tailored-banner__text");
      body.innerHTML = b.bodyHtml; // sanitized by the app with an allow-list when it was saved
      copy.appendChild(body);
    }
    if (b.buttonLabel && b.buttonLink) {
      var a = el("a", "tailored-banner__button", b.buttonLabel);
      a.href = b.buttonLink;
      copy.appendChild(a);
    }
    inner.appendChild(copy);
    root.style.setProperty("--tailored-fg", b.textColor);
    root.style.setProperty("--tailored-bg", b.backgroundColor);
    var old = root.querySelector("[data-tailored-content]");
    if (old) old.replaceWith(inner);
    else root.appendChild(inner);
    return true;
  }

  function products(root, data) {
    var list = root.querySelector("[data-tailored-list]");
    if (!list || !data.products || !data.products.length) return false;
    var showPrice = root.getAttribute("data-show-price") !== "false";
    var frag = document.createDocumentFragment();
    data.products.forEach(function (p) {
      var li = el("li", "tailored-card");
      var a = el("a", "tailored-card__link");
      a.href = p.url;
      if (p.imageUrl) {
        var img = el("img", "tailored-card__image");
        img.src = p.imageUrl;
        img.alt = p.title;
        img.width = 400;
        img.height = 400;
        img.loading = "lazy";
        a.appendChild(img);
      } else {
        var empty = el("span", "tailored-card__image tailored-card__image--empty");
        empty.setAttribute("aria-hidden", "true");
        a.appendChild(empty);
      }
      a.appendChild(el("span", "tailored-card__title", p.title));
      if (showPrice && p.price) a.appendChild(el("span", "tailored-card__price", p.price));
      li.appendChild(a);
      frag.appendChild(li);
    });
    list.replaceChildren(frag);
    return true;
  }

  function load(root, who) {
    var kind = root.getAttribute("data-tailored");
    var q = new URLSearchParams();
    var country = root.getAttribute("data-country");
    if (country) q.set("country", country);
    if (who.id) q.set("vid", who.id);
    if (who.fresh) q.set("new", "1");
    if (who.cid) q.set("cid", who.cid);
    if (kind === "recommendations") {
      q.set("limit", root.getAttribute("data-limit") || "4");
      var pid = root.getAttribute("data-product-id");
      if (pid) q.set("product_id", pid);
    }
    var timeout = Number(root.getAttribute("data-timeout")) || 1500;
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (ctrl) ctrl.abort();
    }, timeout);
    var done = function (state) {
      clearTimeout(timer);
      root.setAttribute("data-tailored-state", state);
      root.removeAttribute("aria-busy");
    };
    root.setAttribute("aria-busy", "true");
    root.setAttribute("data-tailored-state", "loading");
    fetch(root.getAttribute("data-proxy") + "/" + kind + "?" + q.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: ctrl ? ctrl.signal : undefined,
    })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        var shown = kind === "banner" ? banner(root, data) : products(root, data);
        done(shown ? "personalized" : "fallback");
      })
      .catch(function () {
        done("fallback");
      });
  }

  function start() {
    var roots = document.querySelectorAll("[data-tailored]");
    if (!roots.length) return;
    var who = visitor();
    who.cid = clientId();
    for (var i = 0; i < roots.length; i++) load(roots[i], who);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
