import { describe, expect, it } from "vitest";
import { chooseTarget, isSindriFile } from "../../src/common/targets";

describe("isSindriFile", () => {
  it.each([
    ["/w/sindri.yaml", true],
    ["/w/sindri.yml", true],
    ["/w/gpu.sindri.yaml", true],
    ["/w/docker-compose.yml", false],
    ["/w/sindri.yaml.bak", false],
    ["/w/not-sindri.yml", false],
  ])("%s -> %s", (file, expected) => expect(isSindriFile(file)).toBe(expected));
});

describe("chooseTarget", () => {
  it("takes the explicit file first", () => {
    expect(chooseTarget("/w/a/sindri.yaml", "/w/b/sindri.yaml", [])).toEqual({ kind: "file", path: "/w/a/sindri.yaml" });
  });
  it("then the active editor's sindri file", () => {
    expect(chooseTarget(undefined, "/w/b/sindri.yaml", ["/w/a/sindri.yaml"])).toEqual({ kind: "file", path: "/w/b/sindri.yaml" });
  });
  it("ignores an active file that is not a sindri file", () => {
    expect(chooseTarget(undefined, "/w/README.md", ["/w/a/sindri.yaml"])).toEqual({ kind: "file", path: "/w/a/sindri.yaml" });
  });
  it("asks when the workspace has several", () => {
    expect(chooseTarget(undefined, undefined, ["/w/b/sindri.yaml", "/w/a/sindri.yaml", "/w/a/sindri.yaml"])).toEqual({
      kind: "pick",
      choices: ["/w/a/sindri.yaml", "/w/b/sindri.yaml"],
    });
  });
  it("says when there is none", () => {
    expect(chooseTarget(undefined, undefined, ["/w/compose.yml"])).toEqual({ kind: "none" });
  });
});
