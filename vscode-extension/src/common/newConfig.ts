/** New sindri.yaml: the server's starter for a chosen provider, written where the user says. */
import { promises as fs } from "fs";
import * as path from "path";
import { Uri, window, workspace } from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { execute } from "./actions";
import { PROVIDERS } from "./constants";
import { nameFromFolder } from "./labels";
import { isFailure, StarterRequest } from "./protocol";

const PROVIDER_DETAILS: Record<string, string> = {
  docker: "local Docker engine (the default; needs Docker)",
  fly: "Fly.io machine (needs flyctl and a login)",
  devpod: "DevPod workspace (docker, kubernetes, ssh or a cloud)",
  e2b: "E2B sandbox (needs E2B_API_KEY)",
  kubernetes: "a Deployment in your current kubectl cluster",
  runpod: "a RunPod GPU or CPU pod (needs RUNPOD_API_KEY)",
  northflank: "a Northflank deployment service (needs NORTHFLANK_API_TOKEN)",
};

async function exists(uri: Uri): Promise<boolean> {
  try {
    await workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Asks provider, name and place; never overwrites a file. Returns the new file, if one was made. */
export async function newConfig(client: LanguageClient | undefined, folderArg?: Uri): Promise<Uri | undefined> {
  if (!client) {
    void window.showErrorMessage("Sindri: the language server is not running; it writes the starter file.");
    return undefined;
  }
  const folder = folderArg ?? (workspace.workspaceFolders?.length === 1 ? workspace.workspaceFolders[0].uri : (await window.showWorkspaceFolderPick({ placeHolder: "Where should sindri.yaml go?" }))?.uri);
  if (!folder) {
    void window.showWarningMessage("Sindri: open a folder first; sindri.yaml goes in a workspace folder.");
    return undefined;
  }
  const provider = await window.showQuickPick(
    PROVIDERS.map((p) => ({ label: p, detail: PROVIDER_DETAILS[p] })),
    { placeHolder: "Which provider runs the environment?", title: "New sindri.yaml" },
  );
  if (!provider) return undefined;
  const name = await window.showInputBox({
    title: "New sindri.yaml",
    prompt: "The environment's name (lowercase letters, digits and dashes)",
    value: nameFromFolder(path.basename(folder.fsPath)),
    validateInput: (value) => (/^[a-z][a-z0-9-]{0,62}$/.test(value) ? undefined : "Start with a letter; use lowercase letters, digits and dashes."),
  });
  if (!name) return undefined;
  let target = Uri.joinPath(folder, "sindri.yaml");
  if (await exists(target)) target = Uri.joinPath(folder, `${name}.sindri.yaml`);
  if (await exists(target)) {
    void window.showWarningMessage(`Sindri: ${workspace.asRelativePath(target)} already exists; it was left as it is.`);
    return undefined;
  }
  const request: StarterRequest = { provider: provider.label, name };
  const answer = await execute<{ text: string }>(client, "sindri.newConfig", [request]);
  if (!answer || isFailure(answer) || typeof answer.text !== "string") {
    void window.showErrorMessage(`Sindri: the starter file could not be made${answer && isFailure(answer) ? `: ${answer.error}` : "."}`);
    return undefined;
  }
  try {
    // O_CREAT|O_EXCL: fails on any existing name, a dangling symlink included, so nothing is overwritten.
    await fs.writeFile(target.fsPath, answer.text, { encoding: "utf8", flag: "wx" });
  } catch (error) {
    void window.showErrorMessage(`Sindri: could not write ${workspace.asRelativePath(target)}: ${String(error)}`);
    return undefined;
  }
  await window.showTextDocument(target);
  return target;
}
