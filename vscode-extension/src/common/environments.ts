/** What the window knows about each sindri.yaml: name, provider and last state, shared by the views. */
import { EventEmitter, Uri, workspace } from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { EXCLUDE_GLOB, SINDRI_GLOB } from "./constants";
import { traceError } from "./log";
import { EnvironmentInfo, StatusNotification } from "./protocol";

const MAX_FILES = 200;

export class EnvironmentStore {
  private readonly byUri = new Map<string, EnvironmentInfo>();
  private readonly changed = new EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  all(): EnvironmentInfo[] {
    return [...this.byUri.values()].sort((a, b) => Uri.parse(a.uri).fsPath.localeCompare(Uri.parse(b.uri).fsPath));
  }

  get(uri: Uri): EnvironmentInfo | undefined {
    return this.byUri.get(uri.toString());
  }

  /** The workspace's sindri files, described by the server (it reads them; it runs no tool). */
  async refresh(client: LanguageClient | undefined): Promise<void> {
    const files = await workspace.findFiles(SINDRI_GLOB, EXCLUDE_GLOB, MAX_FILES);
    const uris = files.map((f) => f.toString());
    let infos: EnvironmentInfo[] = uris.map((uri) => ({ uri, name: null, provider: null, state: null }));
    if (client && uris.length) {
      try {
        infos = await client.sendRequest<EnvironmentInfo[]>("workspace/executeCommand", { command: "sindri.environments", arguments: [uris] });
      } catch (error) {
        traceError("sindri.environments failed", error);
      }
    }
    const known = new Map(this.byUri);
    this.byUri.clear();
    for (const info of infos) {
      this.byUri.set(info.uri, { ...info, state: info.state ?? known.get(info.uri)?.state ?? null });
    }
    this.changed.fire();
  }

  /** A state the server reported (the `sindri/status` notification, or a command's result). */
  update(status: StatusNotification): void {
    const key = Uri.parse(status.uri).toString();
    const previous = this.byUri.get(key);
    this.byUri.set(key, { ...previous, uri: key, name: status.name, provider: status.provider, state: status.state });
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
