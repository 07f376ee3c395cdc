import { describe, expect, it } from "vitest";
import { databaseConfig } from "./config";

describe("databaseConfig", () => {
  it.each([
    [undefined, { dialect: "sqlite", file: "/srv/app/prisma/tailored.sqlite" }],
    ["", { dialect: "sqlite", file: "/srv/app/prisma/tailored.sqlite" }],
    ["file:./data/x.sqlite", { dialect: "sqlite", file: "/srv/app/data/x.sqlite" }],
    ["file:/var/lib/t.sqlite?connection_limit=1", { dialect: "sqlite", file: "/var/lib/t.sqlite" }],
    ["postgres://u@h:5432/db", { dialect: "postgres", url: "postgres://u@h:5432/db" }],
    ["postgresql://u@h/db", { dialect: "postgres", url: "postgresql://u@h/db" }],
  ])("%j", (url, expected) => {
    expect(databaseConfig(url, "/srv/app")).toMatchObject(expected);
  });

  it.each(["mysql://u@h/db", "file:", "./x.sqlite"])("rejects %j with the reason", (url) => {
    expect(() => databaseConfig(url, "/srv/app")).toThrow(/DATABASE_URL/);
  });
});
