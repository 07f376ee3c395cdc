/** @type {import('@types/eslint').Linter.BaseConfig} */
// Shopify's Remix app template's rules (Remix's config: React, hooks, JSX a11y, import, TypeScript,
// Node), with Prettier owning formatting. `npm test` runs it with no warning allowed.
module.exports = {
  root: true,
  extends: ["@remix-run/eslint-config", "@remix-run/eslint-config/node", "prettier"],
  globals: { shopify: "readonly" },
  ignorePatterns: ["build/", "node_modules/", "prisma/postgres/", "public/build/", ".cache/"],
  overrides: [
    {
      files: ["**/*.ts", "**/*.tsx"],
      rules: {
        // TypeScript's parameter properties (`constructor(readonly dialect: Dialect) {}`) are not useless.
        "no-useless-constructor": "off",
        "@typescript-eslint/no-useless-constructor": "warn",
      },
    },
  ],
};
