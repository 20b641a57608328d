/** Which sindri.yaml a command acts on: pure rules, unit-tested without VS Code. */
import * as path from "path";

/** sindri.yaml, sindri.yml and *.sindri.yaml, the names the server serves. */
export function isSindriFile(fsPath: string): boolean {
  const name = path.basename(fsPath);
  return name === "sindri.yaml" || name === "sindri.yml" || name.endsWith(".sindri.yaml");
}

export type Target = { kind: "file"; path: string } | { kind: "pick"; choices: string[] } | { kind: "none" };

/**
 * The explicit argument (a lens, the tree, the explorer), else the active editor's file when it is
 * a sindri file, else the only one in the workspace, else a choice among them.
 */
export function chooseTarget(explicit: string | undefined, active: string | undefined, workspaceFiles: string[]): Target {
  if (explicit && isSindriFile(explicit)) return { kind: "file", path: explicit };
  if (active && isSindriFile(active)) return { kind: "file", path: active };
  const files = [...new Set(workspaceFiles.filter(isSindriFile))].sort();
  if (files.length === 1) return { kind: "file", path: files[0] };
  if (files.length > 1) return { kind: "pick", choices: files };
  return { kind: "none" };
}
