/** Connect's terminals: one per environment, named after it, reused while it is open. */
import { Disposable, Terminal, window } from "vscode";
import { traceInfo } from "./log";
import { ConnectCommand } from "./protocol";

export class Terminals implements Disposable {
  private readonly open = new Map<string, Terminal>();
  private readonly subscription: Disposable;

  constructor() {
    this.subscription = window.onDidCloseTerminal((closed) => {
      for (const [key, terminal] of this.open) if (terminal === closed) this.open.delete(key);
    });
  }

  connect(info: ConnectCommand): Terminal {
    const key = `${info.provider}/${info.name}`;
    const existing = this.open.get(key);
    if (existing && existing.exitStatus === undefined) {
      existing.show();
      return existing;
    }
    traceInfo(`[connect] ${info.commandLine}`);
    const [shellPath, ...shellArgs] = info.command;
    const terminal = window.createTerminal({ name: `Sindri: ${info.name}`, shellPath, shellArgs, cwd: info.cwd, iconPath: undefined });
    this.open.set(key, terminal);
    terminal.show();
    return terminal;
  }

  /** Stop and Destroy end the shell anyway: closing its terminal first spares a "terminated with exit code 137" error. */
  close(name: string, provider: string): void {
    const key = `${provider}/${name}`;
    this.open.get(key)?.dispose();
    this.open.delete(key);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
