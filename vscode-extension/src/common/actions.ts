/**
 * The commands a user runs: each finds its sindri.yaml, asks the server, and shows the outcome.
 * Deploy, Start, Stop and Destroy run under a notification with a working Cancel and stream the
 * tools' output to the Sindri output channel.
 */
import { randomUUID } from "crypto";
import {
  CancellationToken,
  commands,
  ProgressLocation,
  QuickPickItem,
  Uri,
  window,
  workspace,
} from "vscode";
import { ExecuteCommandRequest, LanguageClient, WorkDoneProgress, WorkDoneProgressReport } from "vscode-languageclient/node";
import { CMD, EXCLUDE_GLOB, SINDRI_GLOB } from "./constants";
import { EnvironmentStore } from "./environments";
import { ACTION_TITLES, stateText } from "./labels";
import { describe, showOutput, traceError, traceInfo } from "./log";
import { ActionResult, ActionSuccess, ConnectCommand, EnvironmentInfo, isFailure, LifecycleAction, LifecycleFlags, ValidateResult } from "./protocol";
import { chooseTarget } from "./targets";

export const TRUST_ACTION = "Manage Workspace Trust";

/** What the commands need from the rest of the extension. */
export interface ActionContext {
  ready(): Promise<LanguageClient | undefined>;
  store: EnvironmentStore;
  showPlan(name: string, result: ActionSuccess): Promise<void>;
  connect(info: ConnectCommand): void;
  closeTerminal(name: string, provider: string): void;
}

/** The sindri.yaml to act on: the argument, the active editor's, the only one, or the user's pick. */
export async function resolveTarget(arg: unknown): Promise<Uri | undefined> {
  const explicit = arg instanceof Uri ? arg : isEnvironment(arg) ? Uri.parse(arg.uri) : typeof arg === "string" ? Uri.parse(arg) : undefined;
  const active = window.activeTextEditor?.document.uri;
  const found = explicit || active?.scheme === "file" ? [] : await workspace.findFiles(SINDRI_GLOB, EXCLUDE_GLOB, 200);
  const files = new Map(found.map((u) => [u.fsPath, u]));
  const target = chooseTarget(explicit?.fsPath, active?.scheme === "file" ? active.fsPath : undefined, [...files.keys()]);
  if (target.kind === "file") return explicit?.fsPath === target.path ? explicit : active?.fsPath === target.path ? active : files.get(target.path);
  if (target.kind === "none") {
    const pick = await window.showInformationMessage("Sindri: there is no sindri.yaml in this workspace.", "New sindri.yaml");
    if (pick) await commands.executeCommand(CMD.newConfig);
    return undefined;
  }
  const items: (QuickPickItem & { uri: Uri })[] = target.choices.map((p) => {
    const uri = files.get(p) as Uri;
    return { label: workspace.asRelativePath(uri), uri };
  });
  const chosen = await window.showQuickPick(items, { placeHolder: "Which sindri.yaml?" });
  return chosen?.uri;
}

function isEnvironment(value: unknown): value is EnvironmentInfo {
  return typeof value === "object" && value !== null && typeof (value as EnvironmentInfo).uri === "string";
}

/** Commands that run tools are refused in an untrusted workspace, with the way to trust it. */
export async function requireTrust(what: string): Promise<boolean> {
  if (workspace.isTrusted) return true;
  const pick = await window.showWarningMessage(
    `Sindri: ${what} runs tools (docker, flyctl, kubectl, ...) and this workspace is not trusted. Validation, completion and hover still work.`,
    TRUST_ACTION,
  );
  if (pick === TRUST_ACTION) await commands.executeCommand("workbench.trust.manage");
  return false;
}

async function clientOrExplain(context: ActionContext): Promise<LanguageClient | undefined> {
  const client = await context.ready();
  if (!client) {
    const pick = await window.showErrorMessage("Sindri: the language server is not running.", "Restart Server", "Show Output");
    if (pick === "Restart Server") await commands.executeCommand(CMD.restartServer);
    if (pick === "Show Output") showOutput();
  }
  return client;
}

/** The command acts on the file as saved: save it first, as a user expects of a Deploy button. */
async function saveIfDirty(uri: Uri): Promise<void> {
  const document = workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (document?.isDirty) await document.save();
}

export async function execute<T>(client: LanguageClient, command: string, args: unknown[], token?: CancellationToken): Promise<T | undefined> {
  return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token)) as T | undefined;
}

/** Name and provider from the file (the server reads it, runs nothing); undefined if it cannot say. */
export async function describeEnvironment(client: LanguageClient, uri: Uri): Promise<EnvironmentInfo | undefined> {
  try {
    const infos = await execute<EnvironmentInfo[]>(client, "sindri.environments", [[uri.toString()]]);
    return infos?.[0];
  } catch (error) {
    traceError("sindri.environments failed", error);
    return undefined;
  }
}

/** Deploy, Plan, Status, Start, Stop, Destroy. */
export async function runLifecycle(context: ActionContext, action: LifecycleAction, arg?: unknown, flags: LifecycleFlags = {}): Promise<ActionResult | undefined> {
  if (!(await requireTrust(capitalize(action)))) return undefined;
  const uri = await resolveTarget(arg);
  if (!uri) return undefined;
  const client = await clientOrExplain(context);
  if (!client) return undefined;
  await saveIfDirty(uri);
  const info = await describeEnvironment(client, uri);
  const name = info?.name ?? workspace.asRelativePath(uri);
  if (action === "destroy" && !flags.yes) {
    const question = `Destroy '${name}' on ${info?.provider ?? "its provider"}? Its container or machine and its volumes, with the data in its home folder, are deleted.`;
    const answer = await window.showWarningMessage(question, { modal: true }, "Destroy");
    if (answer !== "Destroy") return undefined;
  }
  if ((action === "destroy" || action === "stop") && info?.name && info.provider) context.closeTerminal(info.name, info.provider);
  const titles = ACTION_TITLES[action];
  const quiet = action === "plan" || action === "status";
  const result = await window.withProgress(
    { location: quiet ? ProgressLocation.Window : ProgressLocation.Notification, title: `Sindri: ${titles.progress} ${name}`, cancellable: !quiet },
    async (progress, token) => {
      const progressToken = randomUUID();
      traceInfo(`[${action}] ${uri.fsPath}`);
      const listener = client.onProgress(WorkDoneProgress.type, progressToken, (value) => {
        if (value.kind !== "report") return;
        const message = (value as WorkDoneProgressReport).message;
        if (message) {
          traceInfo(`[${action}] ${message}`);
          progress.report({ message: message.length > 120 ? `${message.slice(0, 117)}...` : message });
        }
      });
      try {
        const answer = await execute<ActionResult>(client, `sindri.${action}`, [uri.toString(), { ...flags, yes: true, progressToken }], token);
        return token.isCancellationRequested ? undefined : answer;
      } catch (error) {
        if (token.isCancellationRequested) return undefined; // the server answers a cancel with an error
        traceError(`sindri ${action} failed`, error);
        return { action, success: false, error: describe(error) } as ActionResult;
      } finally {
        listener.dispose();
      }
    },
  );
  await report(context, action, name, uri, result);
  return result;
}

async function report(context: ActionContext, action: LifecycleAction, name: string, uri: Uri, result: ActionResult | undefined): Promise<void> {
  if (!result) {
    traceInfo(`[${action}] cancelled`);
    void window.showInformationMessage(`Sindri: ${action} of '${name}' was cancelled; its tools were stopped.`, "Show Output").then(showOutputIf);
    return;
  }
  if (isFailure(result)) {
    if (result.cancelled) return;
    if (result.untrusted) {
      await requireTrust(capitalize(action));
      return;
    }
    traceError(`[${action}] ${result.error}${result.hint ? ` (fix: ${result.hint})` : ""}`);
    const message = `Sindri: ${action} failed: ${result.error}${result.hint ? ` Fix: ${result.hint}` : ""}`;
    void window.showErrorMessage(message, "Show Output").then(showOutputIf);
    return;
  }
  const state = result.status?.state ?? { deploy: "running", start: "running", stop: "stopped", destroy: "not_deployed" }[action as string];
  if (state) context.store.update({ uri: uri.toString(), name: result.name, provider: result.provider, state });
  for (const warning of result.warnings ?? []) traceInfo(`[${action}] warning: ${warning}`);
  if (action === "plan") {
    await context.showPlan(result.name, result);
    return;
  }
  const where = `'${result.name}' on ${result.provider}`;
  if (action === "status") {
    void window.showInformationMessage(`Sindri: ${where} is ${stateText(state)}.`, ...(state === "running" ? ["Connect"] : ["Deploy"]), "Show Output").then((pick) => next(pick, uri));
    return;
  }
  const done = `Sindri: ${where} ${ACTION_TITLES[action].done}.`;
  const options = action === "destroy" || action === "stop" ? ["Show Output"] : ["Connect", "Show Output"];
  void window.showInformationMessage(done, ...options).then((pick) => next(pick, uri));
}

function next(pick: string | undefined, uri: Uri): void {
  if (pick === "Connect") void commands.executeCommand(CMD.connect, uri);
  if (pick === "Deploy") void commands.executeCommand(CMD.deploy, uri);
  showOutputIf(pick);
}

function showOutputIf(pick: string | undefined): void {
  if (pick === "Show Output") showOutput();
}

/** Connect: the server's command line in a terminal named after the environment. */
export async function runConnect(context: ActionContext, arg?: unknown): Promise<void> {
  if (!(await requireTrust("Connect"))) return;
  const uri = await resolveTarget(arg);
  if (!uri) return;
  const client = await clientOrExplain(context);
  if (!client) return;
  await saveIfDirty(uri);
  const answer = await execute<ConnectCommand | ActionResult>(client, "sindri.connect", [uri.toString()]);
  if (!answer || isFailure(answer)) {
    await report(context, "status", workspace.asRelativePath(uri), uri, answer as ActionResult | undefined);
    return;
  }
  context.connect(answer as ConnectCommand);
}

export async function runValidate(context: ActionContext, arg?: unknown): Promise<void> {
  const uri = await resolveTarget(arg);
  if (!uri) return;
  const client = await clientOrExplain(context);
  if (!client) return;
  const document = await workspace.openTextDocument(uri);
  await window.showTextDocument(document, { preview: false });
  const result = await execute<ValidateResult>(client, "sindri.validate", [uri.toString()]);
  const findings = result?.findings ?? [];
  const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
  const errors = count("error");
  const summary = findings.length === 0 ? "no problems" : `${errors} error(s), ${count("warning")} warning(s), ${count("info")} info`;
  traceInfo(`[validate] ${uri.fsPath}: ${summary}`);
  if (findings.length === 0) {
    void window.showInformationMessage(`Sindri: ${workspace.asRelativePath(uri)} is valid.`);
  } else {
    await commands.executeCommand("workbench.actions.view.problems");
    const show = errors ? window.showErrorMessage : window.showWarningMessage;
    void show(`Sindri: ${workspace.asRelativePath(uri)}: ${summary}.`);
  }
}

interface DoctorResult {
  providers?: { provider: string; ok?: boolean; missing?: { name: string; description: string; install_hint?: string | null; docs_url?: string | null }[] }[];
}

export async function runDoctor(context: ActionContext, arg?: unknown): Promise<void> {
  if (!(await requireTrust("Doctor"))) return;
  const uri = await resolveTarget(arg);
  if (!uri) return;
  const client = await clientOrExplain(context);
  if (!client) return;
  const result = await window.withProgress({ location: ProgressLocation.Window, title: "Sindri: checking prerequisites" }, () =>
    execute<DoctorResult | ActionResult>(client, "sindri.doctor", [uri.toString()]),
  );
  if (!result || isFailure(result)) {
    await report(context, "status", workspace.asRelativePath(uri), uri, result as ActionResult | undefined);
    return;
  }
  const providers = (result as DoctorResult).providers ?? [];
  const missing = providers.flatMap((p) => (p.missing ?? []).map((m) => ({ provider: p.provider, ...m })));
  for (const p of providers) traceInfo(`[doctor] ${p.provider}: ${(p.missing ?? []).length ? "missing prerequisites" : "ready"}`);
  for (const m of missing) {
    traceInfo(`[doctor]   - ${m.name}: ${m.description}${m.install_hint ? `; install: ${m.install_hint}` : ""}${m.docs_url ? `; docs: ${m.docs_url}` : ""}`);
  }
  if (missing.length === 0) {
    void window.showInformationMessage(`Sindri: ${providers.map((p) => p.provider).join(", ")} has everything it needs.`);
  } else {
    void window.showWarningMessage(`Sindri: missing ${missing.map((m) => m.name).join(", ")}.`, "Show Output").then(showOutputIf);
  }
}

/** The status bar's menu: every action on the active environment. */
export async function showActions(): Promise<void> {
  const entries: [string, string][] = [
    ["$(cloud-upload) Deploy", CMD.deploy],
    ["$(list-tree) Plan", CMD.plan],
    ["$(pulse) Status", CMD.status],
    ["$(terminal) Connect", CMD.connect],
    ["$(debug-start) Start", CMD.start],
    ["$(debug-stop) Stop", CMD.stop],
    ["$(trash) Destroy", CMD.destroy],
    ["$(check) Validate", CMD.validate],
    ["$(heart) Doctor", CMD.doctor],
    ["$(output) Show Output", CMD.showOutput],
  ];
  const pick = await window.showQuickPick(
    entries.map(([label, command]) => ({ label, command })),
    { placeHolder: "Sindri" },
  );
  if (pick) await commands.executeCommand(pick.command);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
