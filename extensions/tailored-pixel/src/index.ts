// The extension's entry: Shopify's pixel manager calls `register`'s callback once per page, in the
// strict sandbox, with the shop's settings (shopify.extension.toml) and the visitor's consent state.
// All the logic is in ./pixel.ts, which tests run under a stand-in for this API.
import { register } from "@shopify/web-pixels-extension";
import { startPixel, type PixelApi } from "./pixel";

register((api) => {
  startPixel(api as unknown as PixelApi);
});
