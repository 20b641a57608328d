/** A trusted workspace: the server starts, diagnostics, lenses, commands, restart, plan, new file. */
import * as assert from "assert";
import * as fs from "fs";
import { CancellationTokenSource, commands, window, workspace, CodeLens, QuickPickItem } from "vscode";
import { State } from "vscode-languageclient/node";
import { activate, diagnostics, readPackageJson, waitFor, workspaceFile } from "./helpers";

describe("Sindri in a trusted workspace", () => {
  it("starts the language server", async () => {
    const api = await activate();
    const client = await waitFor("the client", () => api.server.current);
    assert.strictEqual(client.state, State.Running);
  });

  it("gives sindri.yaml the sindri language and other YAML the yaml language", async () => {
    const sindri = await workspace.openTextDocument(workspaceFile("broken", "sindri.yaml"));
    assert.strictEqual(sindri.languageId, "sindri");
    const other = await workspace.openTextDocument(workspaceFile("other.yaml"));
    assert.strictEqual(other.languageId, "yaml");
  });

  it("publishes diagnostics for a broken file", async () => {
    const uri = workspaceFile("broken", "sindri.yaml");
    await window.showTextDocument(uri);
    const found = await diagnostics(uri);
    const unknown = found.find((d) => d.message.includes("resouces"));
    assert.ok(unknown, `no diagnostic about 'resouces' in ${JSON.stringify(found.map((d) => d.message))}`);
    assert.strictEqual(unknown.range.start.line, 7);
  });

  it("shows the lenses, wired to the client's commands", async () => {
    const uri = workspaceFile("broken", "sindri.yaml");
    const lenses = await waitFor("code lenses", async () => {
      const found = await commands.executeCommand<CodeLens[]>("vscode.executeCodeLensProvider", uri);
      return found?.length ? found : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? "");
    assert.ok(titles.some((t) => t.includes("Deploy to docker")), JSON.stringify(titles));
    const deploy = lenses.find((l) => l.command?.title.includes("Deploy"));
    assert.strictEqual(deploy?.command?.command, "sindri.cmd.deploy");
  });

  it("registers every contributed command and the server's commands", async () => {
    const registered = new Set(await commands.getCommands(true));
    const contributed = readPackageJson().contributes.commands.map((c) => c.command);
    const missing = [...contributed, "sindri.deploy", "sindri.destroy", "sindri.connect", "sindri.openDocs"].filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, []);
  });

  it("opens a plan preview with the files deploy would write", async () => {
    const api = await activate();
    const uri = workspaceFile("good", "sindri.yaml");
    await commands.executeCommand("sindri.cmd.plan", uri);
    const page = await waitFor("the plan page", () => api.plans.page("host-good"));
    assert.match(page, /# Plan: host-good on docker/);
    assert.match(page, /docker-compose\.yml/);
  });

  it("lists the workspace's environments in the view", async () => {
    const api = await activate();
    const names = await waitFor("the environments", () => {
      const all = api.store.all();
      return all.length >= 2 ? all.map((e) => e.name) : undefined;
    });
    assert.ok(names.includes("host-good"), JSON.stringify(names));
  });

  it("writes a starter sindri.yaml that validates clean", async () => {
    const folder = workspaceFile("new");
    fs.mkdirSync(folder.fsPath, { recursive: true });
    const quickPick = window.showQuickPick;
    const inputBox = window.showInputBox;
    Object.assign(window, {
      showQuickPick: async (items: readonly QuickPickItem[] | Thenable<readonly QuickPickItem[]>) => (await items).find((i) => i.label === "docker"),
      showInputBox: async () => "host-new",
    });
    try {
      await commands.executeCommand("sindri.cmd.newConfig", folder);
    } finally {
      Object.assign(window, { showQuickPick: quickPick, showInputBox: inputBox });
    }
    const created = workspaceFile("new", "sindri.yaml");
    const text = fs.readFileSync(created.fsPath, "utf8");
    assert.match(text, /name: host-new/);
    assert.match(text, /provider: docker/);
  });

  it("restarts the server when a setting that starts it changes", async () => {
    const api = await activate();
    const before = await waitFor("the client", () => api.server.current);
    await workspace.getConfiguration("sindri").update("interpreter", ["python3"]);
    const after = await waitFor("a new client", () => (api.server.current && api.server.current !== before ? api.server.current : undefined));
    assert.strictEqual(after.state, State.Running);
    await workspace.getConfiguration("sindri").update("interpreter", undefined);
  });

  it("ends the old server process on a restart, and starts a new one after a crash that restarts cleanly", async () => {
    const api = await activate();
    const first = await waitFor("the server's process", () => api.server.current && api.server.pid);
    await commands.executeCommand("sindri.cmd.restartServer");
    const second = await waitFor("a new process", () => api.server.current && api.server.pid !== first && api.server.pid);
    await waitFor("the old process to end", () => !alive(first), 15_000);
    process.kill(second, "SIGKILL"); // a crash: the server is started again, in a new process
    const third = await waitFor("the restart after the crash", () => api.server.current && api.server.pid !== second && api.server.pid, 30_000);
    assert.ok(alive(third));
    const client = await waitFor("the client running again", () => api.server.current);
    const good = workspaceFile("good", "sindri.yaml").toString();
    const infos = await client.sendRequest<{ uri: string }[]>("workspace/executeCommand", { command: "sindri.environments", arguments: [[good]] });
    assert.deepStrictEqual(infos.map((info) => info.uri), [good], "the new server answers");

    const errors: string[] = [];
    const showError = window.showErrorMessage;
    Object.assign(window, { showErrorMessage: async (message: string) => void errors.push(message) });
    try {
      await commands.executeCommand("sindri.cmd.restartServer");
      await waitFor("a server after the restart", () => api.server.current && api.server.pid !== third && api.server.pid);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      Object.assign(window, { showErrorMessage: showError });
    }
    assert.deepStrictEqual(errors, [], `restarting a server that came back from a crash: ${JSON.stringify(errors)}`);
  });

  it("says when the interpreter is missing or too old, with Select Interpreter and Show Output", async () => {
    const api = await activate();
    const errors: string[] = [];
    const showError = window.showErrorMessage;
    Object.assign(window, {
      showErrorMessage: async (message: string, ...items: unknown[]) => void errors.push([message, ...items].join(" | ")),
    });
    const config = workspace.getConfiguration("sindri");
    try {
      await config.update("serverPath", "");
      await config.update("interpreter", ["/nonexistent/python3"]);
      await waitFor("the missing-interpreter message", () => errors.find((e) => e.includes("/nonexistent/python3")));
      await config.update("interpreter", [process.env.SINDRI_OLD_PYTHON as string]);
      await waitFor("the too-old message", () => errors.find((e) => e.includes("is Python 3.9")));
    } finally {
      Object.assign(window, { showErrorMessage: showError });
      await config.update("interpreter", undefined);
      await config.update("serverPath", undefined);
    }
    assert.match(errors[0], /needs Python 3\.11 or newer\. \| Select Interpreter \| Show Output/);
    await waitFor("the server back", () => api.server.current, 30_000);
  });

  it("Cancel stops the tools of a running deploy", async () => {
    const hanging = process.env.SINDRI_HANGING_DOCKER as string;
    const pidFile = process.env.SINDRI_HANG_PID as string;
    await workspace.getConfiguration("sindri").update("toolPaths", { docker: hanging });
    await new Promise((r) => setTimeout(r, 1000)); // the server pulls the changed settings
    const withProgress = window.withProgress;
    const info = window.showInformationMessage;
    const messages: string[] = [];
    const source = new CancellationTokenSource();
    Object.assign(window, {
      withProgress: (_options: unknown, task: (p: { report(): void }, t: unknown) => Promise<unknown>) => task({ report: () => undefined }, source.token),
      showInformationMessage: async (message: string) => void messages.push(message),
    });
    try {
      const running = commands.executeCommand("sindri.cmd.deploy", workspaceFile("good", "sindri.yaml"));
      const pid = Number(await waitFor("compose up to start", () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim(), 60_000));
      source.cancel();
      await running;
      await waitFor("the hanging tool to be stopped", () => !alive(pid), 15_000);
      assert.ok(messages.some((m) => m.includes("cancelled")), JSON.stringify(messages));
    } finally {
      Object.assign(window, { withProgress, showInformationMessage: info });
      await workspace.getConfiguration("sindri").update("toolPaths", undefined);
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
