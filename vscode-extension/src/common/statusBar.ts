/** One status bar item: the active sindri.yaml's environment, provider and state; click for actions. */
import { Disposable, StatusBarAlignment, StatusBarItem, window } from "vscode";
import { CMD, LANGUAGE_ID } from "./constants";
import { EnvironmentStore } from "./environments";
import { statusBarText, stateText } from "./labels";

export class StatusBar implements Disposable {
  private readonly item: StatusBarItem;
  private readonly subscriptions: Disposable[] = [];

  constructor(private readonly store: EnvironmentStore) {
    this.item = window.createStatusBarItem("sindri.status", StatusBarAlignment.Left, 50);
    this.item.name = "Sindri Environment";
    this.item.command = CMD.showActions;
    this.subscriptions.push(
      window.onDidChangeActiveTextEditor(() => this.update()),
      store.onDidChange(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const document = window.activeTextEditor?.document;
    if (!document || document.languageId !== LANGUAGE_ID) {
      this.item.hide();
      return;
    }
    const info = this.store.get(document.uri);
    const name = info?.name ?? "sindri";
    const provider = info?.provider ?? "?";
    this.item.text = statusBarText(name, provider, info?.state);
    this.item.tooltip = `Sindri environment '${name}' on ${provider}: ${stateText(info?.state)}. Click for actions.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
