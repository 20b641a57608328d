/** The "Sindri Environments" view: each workspace sindri.yaml with its provider and state. */
import * as path from "path";
import { Event, ThemeIcon, TreeDataProvider, TreeItem, Uri, workspace } from "vscode";
import { EnvironmentStore } from "./environments";
import { stateText } from "./labels";
import { EnvironmentInfo } from "./protocol";

const STATE_THEME_ICONS: Record<string, string> = {
  running: "vm-running",
  stopped: "debug-stop",
  paused: "debug-pause",
  suspended: "debug-pause",
  creating: "loading~spin",
  error: "error",
  not_deployed: "circle-outline",
};

export class EnvironmentsTree implements TreeDataProvider<EnvironmentInfo> {
  readonly onDidChangeTreeData: Event<void>;

  constructor(private readonly store: EnvironmentStore) {
    this.onDidChangeTreeData = store.onDidChange;
  }

  getChildren(element?: EnvironmentInfo): EnvironmentInfo[] {
    return element ? [] : this.store.all();
  }

  getTreeItem(info: EnvironmentInfo): TreeItem {
    const uri = Uri.parse(info.uri);
    const relative = workspace.asRelativePath(uri, workspace.workspaceFolders !== undefined && workspace.workspaceFolders.length > 1);
    const item = new TreeItem(info.name ?? path.basename(uri.fsPath));
    item.resourceUri = uri;
    item.id = info.uri;
    item.description = info.error ? "invalid" : `${info.provider ?? "?"} · ${stateText(info.state)}`;
    item.tooltip = info.error ? `${relative}\n${info.error}` : `${relative}\nprovider: ${info.provider ?? "?"}\nstate: ${stateText(info.state)}`;
    item.iconPath = new ThemeIcon(info.error ? "warning" : (STATE_THEME_ICONS[info.state ?? ""] ?? "server-environment"));
    item.contextValue = "sindri.environment";
    item.command = { command: "vscode.open", title: "Open", arguments: [uri] };
    return item;
  }
}
