/** Names shared by the extension's modules: ids, the document selector and the server contract. */

export const EXTENSION_ID = "sindri-editor.sindri";
export const LANGUAGE_ID = "sindri";
export const SERVER_NAME = "Sindri Language Server";
export const OUTPUT_NAME = "Sindri";
export const SETTINGS_SECTION = "sindri";
export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Files the server serves; the glob also finds them in the workspace (for the tree view). */
export const SINDRI_GLOB = "**/{sindri.yaml,sindri.yml,*.sindri.yaml}";
export const EXCLUDE_GLOB = "**/{node_modules,.git,.sindri,.venv}/**";

/** Settings whose change needs a new server process (the others are pulled by the running server). */
export const RESTART_SETTINGS = ["sindri.interpreter", "sindri.serverPath"] as const;

/** Milliseconds between a restart trigger and the restart (several triggers make one restart). */
export const RESTART_DELAY_MS = 1000;

/** The client's own command ids: `sindri.<action>` are the server's (vscode-languageclient registers them). */
export const CMD = {
  deploy: "sindri.cmd.deploy",
  plan: "sindri.cmd.plan",
  status: "sindri.cmd.status",
  start: "sindri.cmd.start",
  stop: "sindri.cmd.stop",
  destroy: "sindri.cmd.destroy",
  connect: "sindri.cmd.connect",
  validate: "sindri.cmd.validate",
  doctor: "sindri.cmd.doctor",
  newConfig: "sindri.cmd.newConfig",
  restartServer: "sindri.cmd.restartServer",
  showOutput: "sindri.cmd.showOutput",
  refreshEnvironments: "sindri.cmd.refreshEnvironments",
  showActions: "sindri.cmd.showActions",
} as const;

export const PROVIDERS = ["docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank"] as const;
