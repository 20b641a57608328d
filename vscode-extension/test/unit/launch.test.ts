import { describe, expect, it } from "vitest";
import { choosePython, expandHome, isSupported, parseVersion, serverLaunch, serverLogLevel } from "../../src/common/launch";

describe("choosePython", () => {
  it("prefers the setting, then the Python extension, then python3", () => {
    expect(choosePython(["/opt/py/bin/python3.12"], ["/venv/bin/python"])).toEqual(["/opt/py/bin/python3.12"]);
    expect(choosePython([], ["/venv/bin/python"])).toEqual(["/venv/bin/python"]);
    expect(choosePython(["", " "], undefined)).toEqual(["python3"]);
  });
});

describe("serverLaunch", () => {
  const settings = { interpreter: [], serverPath: "" };
  it("runs the bundled launcher with the chosen Python, isolated from its environment", () => {
    const launch = serverLaunch(settings, ["/usr/bin/python3", "-X", "utf8"], "/ext", "/home/u", "INFO");
    expect(launch.command).toBe("/usr/bin/python3");
    expect(launch.args).toEqual(["-X", "utf8", "-I", "-S", "/ext/bundled/tool/lsp_server.py", "--log-level", "INFO"]);
    expect(launch.python).toEqual(["/usr/bin/python3", "-X", "utf8"]);
  });
  it("runs the user's own sindri-lsp, ~ expanded, without a Python check", () => {
    const launch = serverLaunch({ ...settings, serverPath: "~/src/.venv/bin/sindri-lsp" }, [], "/ext", "/home/u", "DEBUG");
    expect(launch).toEqual({ command: "/home/u/src/.venv/bin/sindri-lsp", args: ["--log-level", "DEBUG"] });
  });
  it("refuses a relative server path: it would resolve inside the workspace", () => {
    expect(() => serverLaunch({ ...settings, serverPath: "./tools/sindri-lsp" }, [], "/ext", "/home/u", "INFO")).toThrow(/absolute/);
  });
});

describe("versions", () => {
  it("parses what the interpreter prints", () => {
    expect(parseVersion("3.12\n")).toEqual([3, 12]);
    expect(parseVersion("Python 3.12")).toBeUndefined();
  });
  it("accepts 3.11 and newer only", () => {
    expect(isSupported([3, 11], [3, 11])).toBe(true);
    expect(isSupported([3, 10], [3, 11])).toBe(false);
    expect(isSupported([4, 0], [3, 11])).toBe(true);
  });
  it("maps the output channel's level to the server's", () => {
    expect(serverLogLevel(1)).toBe("DEBUG");
    expect(serverLogLevel(3)).toBe("INFO");
    expect(serverLogLevel(4)).toBe("WARNING");
    expect(serverLogLevel(0)).toBe("ERROR");
  });
  it("expands ~ only at the start", () => {
    expect(expandHome("~", "/h")).toBe("/h");
    expect(expandHome("~/x", "/h")).toBe("/h/x");
    expect(expandHome("/a/~/x", "/h")).toBe("/a/~/x");
  });
});

describe("resolveExecutable", () => {
  it("finds a bare name through absolute PATH entries only", async () => {
    const fs = await import("fs");
    const os = await import("os");
    const path = await import("path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sindri-exe-"));
    const exe = path.join(dir, "py");
    fs.writeFileSync(exe, "#!/bin/sh\n");
    fs.chmodSync(exe, 0o755);
    const { resolveExecutable, versionCacheKey } = await import("../../src/common/launch");
    expect(resolveExecutable("py", `relative:${dir}`)).toBe(fs.realpathSync(exe));
    expect(resolveExecutable("py", "relative:.")).toBeUndefined();
    expect(resolveExecutable(exe, undefined)).toBe(fs.realpathSync(exe));
    expect(resolveExecutable("./py", dir)).toBeUndefined();
    expect(versionCacheKey(["py", "-X", "utf8"], dir)).toMatch(/py@\d+(\.\d+)?\|-X utf8$/);
    fs.rmSync(dir, { recursive: true });
  });
});
