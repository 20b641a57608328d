// Extension-host tests: loads the extension from source into code-server's real extension host
// (the `payload` of an Extension Development Host), runs the mocha suites (index.ts) there, and
// prints their results. Usage: node test/host/run.mjs [trusted|untrusted ...]
// Needs: code-server + playwright-core (../shared/tools/install-vscode-e2e.sh), /usr/bin/chromium,
// and a sindri-lsp (SINDRI_LSP, default ../.venv/bin/sindri-lsp).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PREFIX = process.env.SINDRI_VSCODE_E2E ?? path.join(os.homedir(), ".cache", "sindri-vscode-e2e");
const CODE_SERVER = path.join(PREFIX, "node_modules", ".bin", "code-server");
const LSP = process.env.SINDRI_LSP ?? path.resolve(EXT, "..", ".venv", "bin", "sindri-lsp");
const SUITE_TIMEOUT_MS = 180_000;

const GOOD = `version: "3.0"
name: host-good
deployment:
  provider: docker
  image: sindri-demo:local
extensions:
  profile: minimal
`;
const BROKEN = `version: "3.0"
name: host-broken
deployment:
  provider: docker
  image: sindri-demo:local
extensions:
  profile: minimal
  resouces: {}
`;

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function build() {
  execFileSync("node", ["esbuild.mjs"], { cwd: EXT, stdio: "inherit" });
  execFileSync("npx", ["tsc", "-p", "tsconfig.test.json"], { cwd: EXT, stdio: "inherit" });
}

/** A workspace with a good and a broken sindri.yaml, and a stand-in `docker` that leaves a marker. */
function makeWorkspace(root, suite) {
  const ws = path.join(root, `ws-${suite}`);
  fs.mkdirSync(ws, { recursive: true });
  for (const [file, text] of [["good/sindri.yaml", GOOD], ["broken/sindri.yaml", BROKEN], ["other.yaml", "a: 1\n"]]) {
    fs.mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
    fs.writeFileSync(path.join(ws, file), text);
  }
  // A docker whose `compose up` hangs (its pid in hang.pid), for the Cancel test; the rest is real docker.
  const realDocker = execFileSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).trim();
  const hanging = path.join(root, "hanging-docker");
  fs.writeFileSync(hanging, `#!/bin/sh\ncase " $* " in *" up "*) echo $$ > '${path.join(root, "hang.pid")}'; exec sleep 300;; esac\nexec '${realDocker}' "$@"\n`);
  fs.chmodSync(hanging, 0o755);
  const oldPython = path.join(root, "python3.9");
  fs.writeFileSync(oldPython, "#!/bin/sh\necho 3.9\n");
  fs.chmodSync(oldPython, 0o755);
  fs.mkdirSync(path.join(ws, ".vscode"), { recursive: true });
  const settings = { "sindri.serverPath": LSP, "sindri.prerequisiteChecks": true, "security.workspace.trust.enabled": true };
  fs.writeFileSync(path.join(ws, ".vscode", "settings.json"), JSON.stringify(settings, null, 2));
  return ws;
}

/**
 * Stand-ins that leave a marker, named in the user's `sindri.toolPaths` (user settings stay in force
 * in an untrusted workspace; PATH does not reach the extension host: VS Code takes the login shell's).
 */
function toolStandins(root, marker) {
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const paths = {};
  for (const tool of ["docker", "flyctl", "kubectl", "devpod"]) {
    const file = path.join(bin, tool);
    fs.writeFileSync(file, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 1\n`);
    fs.chmodSync(file, 0o755);
    paths[tool] = file;
  }
  return paths;
}

async function runSuite(suite) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `sindri-host-${suite}-`));
  const ws = makeWorkspace(root, suite);
  const results = path.join(root, "results.json");
  const marker = path.join(root, "tool-ran");
  const userData = path.join(root, "user");
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  // A user-level serverPath too: in an untrusted workspace VS Code ignores the workspace's value.
  const userSettings = { "sindri.serverPath": LSP, "workbench.startupEditor": "none" };
  if (suite === "untrusted") userSettings["sindri.toolPaths"] = toolStandins(root, marker);
  fs.writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify(userSettings));
  const port = await freePort();
  const env = {
    ...process.env,
    SINDRI_HOST_SUITE: suite,
    SINDRI_HOST_RESULTS: results,
    SINDRI_TOOL_MARKER: marker,
    SINDRI_HANGING_DOCKER: path.join(root, "hanging-docker"),
    SINDRI_HANG_PID: path.join(root, "hang.pid"),
    SINDRI_OLD_PYTHON: path.join(root, "python3.9"),
    XDG_STATE_HOME: path.join(root, "state"),
  };
  const args = ["--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--user-data-dir", userData, "--extensions-dir", path.join(root, "exts"), "--disable-telemetry", "--disable-update-check"];
  if (suite === "trusted") args.push("--disable-workspace-trust");
  const server = spawn(CODE_SERVER, [...args, ws], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const require = createRequire(path.join(PREFIX, "node_modules", "x.js"));
  const { chromium } = require("playwright-core");
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking"] });
  try {
    await waitHealthy(port);
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [["extensionDevelopmentPath", remote(EXT)], ["extensionTestsPath", remote(path.join(EXT, "out", "test", "host", "index"))]];
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const deadline = Date.now() + SUITE_TIMEOUT_MS;
    while (!fs.existsSync(results)) {
      if (Date.now() > deadline) throw new Error(`the ${suite} suite wrote no results within ${SUITE_TIMEOUT_MS / 1000} s\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const { outcomes } = JSON.parse(fs.readFileSync(results, "utf8"));
    for (const o of outcomes) console.log(`${o.state === "passed" ? "ok  " : "FAIL"} [${suite}] ${o.title}${o.error ? `\n${o.error}` : ""}`);
    return outcomes;
  } finally {
    await browser.close();
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function waitHealthy(port) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("code-server did not answer /healthz within 60 s");
}

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ["trusted", "untrusted"];
if (!fs.existsSync(CODE_SERVER)) {
  console.error(`code-server not found at ${CODE_SERVER}: run ../shared/tools/install-vscode-e2e.sh`);
  process.exit(2);
}
build();
let failed = 0;
let passed = 0;
for (const suite of suites) {
  const outcomes = await runSuite(suite);
  if (outcomes.length === 0) failed += 1;
  failed += outcomes.filter((o) => o.state === "failed").length;
  passed += outcomes.filter((o) => o.state === "passed").length;
}
console.log(`extension host: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
