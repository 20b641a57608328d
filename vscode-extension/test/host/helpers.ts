/** Shared by the extension-host suites: activation, waiting, the workspace's files. */
import * as fs from "fs";
import * as path from "path";
import { Diagnostic, extensions, languages, Uri, workspace } from "vscode";
import type { SindriApi } from "../../src/extension";

export const EXTENSION_ID = "sindri-editor.sindri";

export async function activate(): Promise<SindriApi> {
  const extension = extensions.getExtension<SindriApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

export function workspaceFile(...parts: string[]): Uri {
  const folder = workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("no workspace folder");
  return Uri.joinPath(folder.uri, ...parts);
}

/** Polls until `probe` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function diagnostics(uri: Uri): Promise<Diagnostic[]> {
  return waitFor(`diagnostics for ${uri.fsPath}`, () => {
    const found = languages.getDiagnostics(uri).filter((d) => d.source === "sindri" || String(d.code ?? "").match(/^[A-Z]{2}\d{3}/));
    return found.length ? found : undefined;
  });
}

export function marker(): string | undefined {
  return process.env.SINDRI_TOOL_MARKER;
}

/** Whether a stand-in tool on PATH ran (the driver puts them first on PATH for the untrusted suite). */
export function toolRan(): boolean {
  const file = marker();
  if (!file) throw new Error("SINDRI_TOOL_MARKER is not set: the driver did not set up the stand-in tools");
  return fs.existsSync(file);
}

export function readPackageJson(): { contributes: { commands: { command: string }[] } } {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"));
}
