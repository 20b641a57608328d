/** An untrusted workspace: validation works, nothing executes, lifecycle commands explain why. */
import * as assert from "assert";
import { commands, window, workspace } from "vscode";
import { activate, diagnostics, toolRan, waitFor, workspaceFile } from "./helpers";

describe("Sindri in an untrusted workspace", () => {
  it("is untrusted", () => {
    assert.strictEqual(workspace.isTrusted, false);
  });

  it("still validates", async () => {
    const api = await activate();
    await waitFor("the client", () => api.server.current);
    const uri = workspaceFile("broken", "sindri.yaml");
    await window.showTextDocument(uri);
    const found = await diagnostics(uri);
    assert.ok(found.some((d) => d.message.includes("resouces")));
  });

  it("refuses Deploy with a way to trust the workspace, and runs no tool", async () => {
    const shown: string[] = [];
    const warn = window.showWarningMessage;
    Object.assign(window, {
      showWarningMessage: async (message: string, ...items: unknown[]) => {
        shown.push([message, ...items.filter((i) => typeof i === "string")].join(" | "));
        return undefined;
      },
    });
    try {
      await commands.executeCommand("sindri.cmd.deploy", workspaceFile("good", "sindri.yaml"));
      await commands.executeCommand("sindri.cmd.connect", workspaceFile("good", "sindri.yaml"));
    } finally {
      Object.assign(window, { showWarningMessage: warn });
    }
    assert.strictEqual(shown.length, 2, JSON.stringify(shown));
    assert.match(shown[0], /not trusted/);
    assert.match(shown[0], /Manage Workspace Trust/);
  });

  it("the server itself refuses lifecycle commands", async () => {
    const api = await activate();
    const client = await waitFor("the client", () => api.server.current);
    const answer = (await client.sendRequest("workspace/executeCommand", {
      command: "sindri.status",
      arguments: [workspaceFile("good", "sindri.yaml").toString()],
    })) as { success: boolean; untrusted?: boolean };
    assert.strictEqual(answer.success, false);
    assert.strictEqual(answer.untrusted, true);
  });

  it("never ran a tool (no prerequisite probe, no command)", async () => {
    await new Promise((r) => setTimeout(r, 3000));
    assert.strictEqual(toolRan(), false, `PATH=${process.env.PATH}`);
  });
});
