// The Web Pixel part of the Shopify stand-in: webPixelCreate / webPixelUpdate / webPixel, as the Admin
// GraphQL API documents them (one pixel per app and shop; settings a JSON string validated against
// the extension's TOML schema; "No web pixel was found" until the extension is deployed).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GraphQLFieldError, type Obj } from "./graphql";

const TOML = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../extensions/tailored-pixel/shopify.extension.toml",
);

/** The TOML's settings fields with their "min" validation: read from the file, not restated. */
export function tomlSettingsFields(): Map<string, number> {
  const fields = new Map<string, number>();
  let current: string | null = null;
  for (const line of fs.readFileSync(TOML, "utf8").split("\n")) {
    const header = /^\[settings\.fields\.([A-Za-z0-9_]+)\]/.exec(line.trim());
    if (header) {
      current = header[1]!;
      fields.set(current, 0);
      continue;
    }
    const min = /validations\s*=.*name\s*=\s*"min".*value\s*=\s*"(\d+)"/.exec(line);
    if (current && min) fields.set(current, Number(min[1]));
  }
  return fields;
}

export class FakePixels {
  pixel: { id: string; settings: string } | null = null;
  /** False: the extension is not deployed, and every call fails as Shopify's does then. */
  deployed = true;
  private next = 1;

  private validate(settings: unknown): Obj[] {
    if (typeof settings !== "string")
      return [{ field: ["webPixel", "settings"], message: "Settings is invalid", code: "INVALID_SETTINGS" }];
    let parsed: unknown;
    try {
      parsed = JSON.parse(settings);
    } catch {
      return [{ field: ["webPixel", "settings"], message: "Settings is not valid JSON", code: "INVALID_SETTINGS" }];
    }
    const fields = tomlSettingsFields();
    const record = (parsed ?? {}) as Record<string, unknown>;
    const errors: Obj[] = [];
    for (const [name, min] of fields) {
      const value = record[name];
      if (typeof value !== "string" || value.length < min)
        errors.push({
          field: ["webPixel", "settings"],
          message: `Settings ${name} is invalid`,
          code: "INVALID_SETTINGS",
        });
    }
    for (const name of Object.keys(record))
      if (!fields.has(name))
        errors.push({
          field: ["webPixel", "settings"],
          message: `Settings ${name} is not declared`,
          code: "INVALID_SETTINGS",
        });
    return errors;
  }

  private notDeployed(): never {
    throw new GraphQLFieldError("No web pixel was found for this app.", "NOT_FOUND");
  }

  create(args: Obj): Obj {
    if (!this.deployed) this.notDeployed();
    const input = (args.webPixel ?? {}) as Obj;
    const errors = this.validate(input.settings);
    if (errors.length === 0 && this.pixel)
      errors.push({ field: ["webPixel"], message: "Web pixel is taken.", code: "TAKEN" });
    if (errors.length > 0) return { webPixel: null, userErrors: errors };
    this.pixel = { id: `gid://shopify/WebPixel/${this.next++}`, settings: input.settings as string };
    return { webPixel: { __typename: "WebPixel", ...this.pixel }, userErrors: [] };
  }

  update(args: Obj): Obj {
    if (!this.deployed) this.notDeployed();
    const input = (args.webPixel ?? {}) as Obj;
    if (!this.pixel || this.pixel.id !== args.id)
      return { webPixel: null, userErrors: [{ field: ["id"], message: "Web pixel not found", code: "NOT_FOUND" }] };
    const errors = this.validate(input.settings);
    if (errors.length > 0) return { webPixel: null, userErrors: errors };
    this.pixel = { ...this.pixel, settings: input.settings as string };
    return { webPixel: { __typename: "WebPixel", ...this.pixel }, userErrors: [] };
  }

  read(): Obj {
    if (!this.deployed || !this.pixel) this.notDeployed();
    return { __typename: "WebPixel", ...this.pixel };
  }
}
