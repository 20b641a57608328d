/** Plan's preview: a read-only Markdown document shown in VS Code's Markdown preview. */
import { commands, Disposable, EventEmitter, TextDocumentContentProvider, Uri, workspace } from "vscode";
import { renderPlan } from "./planView";
import { ActionSuccess } from "./protocol";

const SCHEME = "sindri-plan";

export class PlanPreview implements TextDocumentContentProvider, Disposable {
  private readonly pages = new Map<string, string>();
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: Disposable;

  constructor() {
    this.registration = workspace.registerTextDocumentContentProvider(SCHEME, this);
  }

  provideTextDocumentContent(uri: Uri): string {
    return this.pages.get(uri.path) ?? "No plan yet: run Sindri: Plan.";
  }

  async show(name: string, result: ActionSuccess): Promise<Uri | undefined> {
    if (!result.plan) return undefined;
    const uri = Uri.from({ scheme: SCHEME, path: `/Plan ${name}.md` });
    this.pages.set(uri.path, renderPlan(name, result.config_path, result.plan));
    this.changed.fire(uri);
    await commands.executeCommand("markdown.showPreview", uri);
    return uri;
  }

  /** The page last shown for an environment (tests read it). */
  page(name: string): string | undefined {
    return this.pages.get(`/Plan ${name}.md`);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
