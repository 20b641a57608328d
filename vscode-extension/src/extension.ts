/** Wires the extension together: the server, the views and the commands. The work is in common/. */
import { commands, ExtensionContext, Uri, window, workspace } from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { ActionContext, runConnect, runDoctor, runLifecycle, runValidate, showActions } from "./common/actions";
import { CMD, SINDRI_GLOB } from "./common/constants";
import { EnvironmentStore } from "./common/environments";
import { createChannel, showOutput } from "./common/log";
import { newConfig } from "./common/newConfig";
import { PlanPreview } from "./common/planPreview";
import { STATUS_NOTIFICATION, StatusNotification } from "./common/protocol";
import { onDidChangePythonInterpreter } from "./common/python";
import { SindriServer } from "./common/server";
import { needsRestart } from "./common/settings";
import { StatusBar } from "./common/statusBar";
import { Terminals } from "./common/terminals";
import { EnvironmentsTree } from "./common/tree";


/** What tests inside the extension host read (the returned API of `activate`). */
export interface SindriApi {
  server: SindriServer;
  store: EnvironmentStore;
  plans: PlanPreview;
  ready(): Promise<LanguageClient | undefined>;
}

export async function activate(context: ExtensionContext): Promise<SindriApi> {
  const channel = createChannel();
  const server = new SindriServer(context, channel);
  const store = new EnvironmentStore();
  const plans = new PlanPreview();
  const terminals = new Terminals();
  const statusBar = new StatusBar(store);
  context.subscriptions.push(channel, server, store, plans, terminals, statusBar);

  const actions: ActionContext = {
    ready: () => server.ready(),
    store,
    showPlan: async (name, result) => void (await plans.show(name, result)),
    connect: (info) => void terminals.connect(info),
    closeTerminal: (name, provider) => terminals.close(name, provider),
  };
  const refresh = async () => store.refresh(await server.ready());

  server.onDidStart((client) => {
    context.subscriptions.push(client.onNotification(STATUS_NOTIFICATION, (status: StatusNotification) => store.update(status)));
    void refresh();
  });
  // First, so that Python imports the server while the views and commands are set up.
  const started = server.start();

  context.subscriptions.push(
    window.registerTreeDataProvider("sindri.environments", new EnvironmentsTree(store)),
    commands.registerCommand(CMD.deploy, (arg?: unknown) => runLifecycle(actions, "deploy", arg)),
    commands.registerCommand(CMD.plan, (arg?: unknown) => runLifecycle(actions, "plan", arg)),
    commands.registerCommand(CMD.status, (arg?: unknown) => runLifecycle(actions, "status", arg)),
    commands.registerCommand(CMD.start, (arg?: unknown) => runLifecycle(actions, "start", arg)),
    commands.registerCommand(CMD.stop, (arg?: unknown) => runLifecycle(actions, "stop", arg)),
    commands.registerCommand(CMD.destroy, (arg?: unknown) => runLifecycle(actions, "destroy", arg)),
    commands.registerCommand(CMD.connect, (arg?: unknown) => runConnect(actions, arg)),
    commands.registerCommand(CMD.validate, (arg?: unknown) => runValidate(actions, arg)),
    commands.registerCommand(CMD.doctor, (arg?: unknown) => runDoctor(actions, arg)),
    commands.registerCommand(CMD.newConfig, async (folder?: Uri) => {
      const created = await newConfig(await server.ready(), folder instanceof Uri ? folder : undefined);
      if (created) await refresh();
      return created;
    }),
    commands.registerCommand(CMD.restartServer, () => server.start()),
    commands.registerCommand(CMD.showOutput, () => showOutput()),
    commands.registerCommand(CMD.refreshEnvironments, refresh),
    commands.registerCommand(CMD.showActions, showActions),
    workspace.onDidChangeConfiguration((event) => {
      if (needsRestart(event)) server.scheduleRestart("a setting that starts the server changed");
    }),
    workspace.onDidGrantWorkspaceTrust(() => server.scheduleRestart("the workspace is now trusted")),
    channel.onDidChangeLogLevel((level) => void server.followLogLevel(level)),
  );
  const watcher = workspace.createFileSystemWatcher(SINDRI_GLOB);
  watcher.onDidCreate(refresh);
  watcher.onDidDelete(refresh);
  watcher.onDidChange(refresh);
  context.subscriptions.push(watcher);

  const pythonChanged = await onDidChangePythonInterpreter(() => server.scheduleRestart("the Python interpreter changed"));
  if (pythonChanged) context.subscriptions.push(pythonChanged);

  await started;
  return { server, store, plans, ready: () => server.ready() };
}

export async function deactivate(): Promise<void> {
  // The subscriptions stop the client (SindriServer.dispose).
}
