/** The language client: start, stop, restart (debounced) the Python server with our options. */
import { ChildProcess } from "child_process";
import * as os from "os";
import { CodeLens, commands, Disposable, ExtensionContext, LogLevel, LogOutputChannel, window, workspace } from "vscode";
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  Trace,
} from "vscode-languageclient/node";
import { CMD, LANGUAGE_ID, MIN_PYTHON, RESTART_DELAY_MS, SERVER_NAME, SETTINGS_SECTION } from "./constants";
import { choosePython, Launch, serverLaunch, serverLogLevel } from "./launch";
import { describe, showOutput, traceError, traceInfo } from "./log";
import { endProcess, spawnServer } from "./process";
import { InitializationOptions } from "./protocol";
import { checkPythonCached, hasPythonExtension, pythonExtensionInterpreter } from "./python";
import { launchSettings } from "./settings";

/** A server that stops on its own this many times within CRASH_WINDOW_MS is not started again. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 3 * 60_000;

/** Server command ids on code lenses, mapped to the client commands that wrap them in progress UI. */
const LENS_COMMANDS: Record<string, string> = {
  "sindri.deploy": CMD.deploy,
  "sindri.plan": CMD.plan,
  "sindri.status": CMD.status,
  "sindri.start": CMD.start,
  "sindri.stop": CMD.stop,
  "sindri.destroy": CMD.destroy,
  "sindri.connect": CMD.connect,
};

export class SindriServer implements Disposable {
  private client: LanguageClient | undefined;
  private process: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private readonly listeners: ((client: LanguageClient) => void)[] = [];
  private crashes: number[] = [];

  constructor(
    private readonly context: ExtensionContext,
    private readonly channel: LogOutputChannel,
  ) {}

  /** The running client, if any. */
  get current(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** The server's process id, while one runs. */
  get pid(): number | undefined {
    return this.process?.exitCode === null ? this.process.pid : undefined;
  }

  /** Called with each new client once it runs (notification handlers are per client). */
  onDidStart(listener: (client: LanguageClient) => void): void {
    this.listeners.push(listener);
  }

  /** The running client, waiting for a start under way; undefined when the server could not start. */
  async ready(): Promise<LanguageClient | undefined> {
    if (this.starting) await this.starting;
    return this.current;
  }

  start(): Promise<void> {
    this.starting = this.run().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Several triggers within RESTART_DELAY_MS make one restart. */
  scheduleRestart(reason: string): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      traceInfo(`restarting the server: ${reason}`);
      void this.start();
    }, RESTART_DELAY_MS);
  }

  async stop(): Promise<void> {
    const client = this.client;
    const child = this.process;
    this.client = this.process = undefined;
    if (!client) return;
    try {
      await client.stop();
    } catch (error) {
      traceError("stopping the server failed", error);
    }
    if (child) endProcess(child);
  }

  dispose(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    void this.stop();
  }

  private async run(): Promise<void> {
    await this.stop();
    const launch = await this.resolveLaunch();
    if (!launch) return;
    traceInfo(`starting ${launch.command} ${launch.args.join(" ")} (workspace trusted: ${workspace.isTrusted})`);
    const { child, spawned } = spawnServer(launch);
    this.process = child;
    const serverOptions: ServerOptions = () => spawned;
    const initializationOptions: InitializationOptions = { trusted: workspace.isTrusted, codicons: true };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: LANGUAGE_ID, scheme: "file" }],
      outputChannel: this.channel,
      traceOutputChannel: this.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: () => this.closed(),
      },
      initializationOptions,
      synchronize: { configurationSection: SETTINGS_SECTION },
      middleware: {
        provideCodeLenses: async (document, token, next) => rewriteLenses(await next(document, token)),
      },
    };
    const client = new LanguageClient("sindri", SERVER_NAME, serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
      await client.setTrace(this.channel.logLevel === LogLevel.Trace ? Trace.Verbose : Trace.Off);
      for (const listener of this.listeners) listener(client);
    } catch (error) {
      if (this.process) endProcess(this.process);
      traceError("the Sindri language server did not start", error);
      void window.showErrorMessage(`Sindri: the language server did not start: ${describe(error)}`, "Show Output").then((pick) => {
        if (pick) showOutput();
      });
    }
  }

  /**
   * The server ended without being asked to: a new client and process, as for a settings change. The
   * client's own restart keeps the server's commands registered, and the next restart then failed
   * with "command 'sindri.deploy' already exists" (microsoft/vscode-languageserver-node#725).
   */
  private closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length >= MAX_CRASHES) {
      const message = `Sindri: the language server stopped ${this.crashes.length} times in 3 minutes; it is not started again.`;
      void window.showErrorMessage(message, "Show Output", "Restart Server").then((pick) => {
        if (pick === "Show Output") showOutput();
        if (pick === "Restart Server") void this.start();
      });
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.scheduleRestart("the server stopped unexpectedly");
    return { action: CloseAction.DoNotRestart, message: "The Sindri language server stopped; starting it again.", handled: true };
  }

  /** The command line, after checking the interpreter; undefined (with a notification) when unusable. */
  private async resolveLaunch(): Promise<Launch | undefined> {
    const settings = launchSettings(workspace.workspaceFolders?.[0]);
    const python = settings.serverPath ? [] : choosePython(settings.interpreter, await pythonExtensionInterpreter());
    let launch: Launch;
    try {
      launch = serverLaunch(settings, python, this.context.extensionPath, os.homedir(), serverLogLevel(this.channel.logLevel));
    } catch (error) {
      await this.interpreterProblem(describe(error));
      return undefined;
    }
    if (launch.python) {
      const check = await checkPythonCached(launch.python, this.context.globalState);
      if (!check.ok) {
        await this.interpreterProblem(`${check.reason}; Sindri needs Python ${MIN_PYTHON.join(".")} or newer`);
        return undefined;
      }
    }
    return launch;
  }

  private async interpreterProblem(reason: string): Promise<void> {
    traceError(`cannot start the server: ${reason}`);
    const pick = await window.showErrorMessage(`Sindri: ${reason}.`, "Select Interpreter", "Show Output");
    if (pick === "Show Output") showOutput();
    if (pick === "Select Interpreter") {
      if (hasPythonExtension() && workspace.isTrusted) await commands.executeCommand("python.setInterpreter");
      else await commands.executeCommand("workbench.action.openSettings", "sindri.interpreter");
    }
  }

  /** Follows the channel's level: Trace shows every message between client and server. */
  async followLogLevel(level: LogLevel): Promise<void> {
    await this.current?.setTrace(level === LogLevel.Trace ? Trace.Verbose : Trace.Off);
  }
}

/** Lenses run the client's commands (progress, Cancel, confirmation) instead of the bare server ones. */
export function rewriteLenses(lenses: CodeLens[] | null | undefined): CodeLens[] | null | undefined {
  for (const lens of lenses ?? []) {
    const target = lens.command ? LENS_COMMANDS[lens.command.command] : undefined;
    if (lens.command && target) lens.command = { ...lens.command, command: target };
  }
  return lenses;
}
