import { describe, expect, it } from "vitest";
import { assertNoServiceOverridesInProduction, ConfigurationError, serviceOriginOverrides } from "./service-origins";

describe("service-origin overrides", () => {
  it("are the <SERVICE>_…ORIGIN variables that are set", () => {
    expect(
      serviceOriginOverrides({
        SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:9",
        KLAVIYO_API_ORIGIN: "http://127.0.0.1:8",
        MAILCHIMP_ORIGIN: " ",
        SHOPIFY_APP_URL: "https://app.example",
        CORS_ORIGIN: "https://elsewhere.example",
        PATH: "/usr/bin",
      }),
    ).toEqual(["KLAVIYO_API_ORIGIN", "SHOPIFY_ADMIN_ORIGIN"]);
  });

  it.each([
    [{ NODE_ENV: "production", SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:9" }, true],
    [{ NODE_ENV: "production", TAILORED_EXPORT_ORIGIN: "http://127.0.0.1:9" }, true],
    [{ NODE_ENV: "production", SHOPIFY_ADMIN_ORIGIN: "" }, false],
    [{ NODE_ENV: "production" }, false],
    [{ NODE_ENV: "development", SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:9" }, false],
    [{ NODE_ENV: "test", SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:9" }, false],
  ])("%j refused: %s", (env, refused) => {
    if (refused) expect(() => assertNoServiceOverridesInProduction(env)).toThrow(ConfigurationError);
    else expect(() => assertNoServiceOverridesInProduction(env)).not.toThrow();
  });
});
