/** The Python that runs the server: from the Python extension when it is there, and its version. */
import { execFile } from "child_process";
import * as os from "os";
import { Disposable, Event, extensions, Memento, workspace } from "vscode";
import { PythonExtension } from "@vscode/python-extension";
import { MIN_PYTHON } from "./constants";
import { isSupported, parseVersion, versionCacheKey } from "./launch";
import { traceVerbose, traceWarn } from "./log";

const PYTHON_EXTENSION = "ms-python.python";
const VERSION_TIMEOUT_MS = 10_000;

/**
 * The Python extension's active environment, as a command line. Not in an untrusted workspace:
 * there its environment may be an interpreter the repository ships (a committed `.venv`).
 */
export async function pythonExtensionInterpreter(): Promise<string[] | undefined> {
  if (!workspace.isTrusted || !extensions.getExtension(PYTHON_EXTENSION)) return undefined;
  try {
    const api = await PythonExtension.api();
    const env = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath());
    const exe = env?.executable.uri?.fsPath;
    return exe ? [exe] : undefined;
  } catch (error) {
    traceWarn(`the Python extension did not give an interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Fires when the Python extension's active environment changes (nothing when it is absent). */
export async function onDidChangePythonInterpreter(listener: () => void): Promise<Disposable | undefined> {
  if (!extensions.getExtension(PYTHON_EXTENSION)) return undefined;
  try {
    const api = await PythonExtension.api();
    const event: Event<unknown> = api.environments.onDidChangeActiveEnvironmentPath;
    return event(() => listener());
  } catch {
    return undefined;
  }
}

export type VersionCheck = { ok: true; version: string } | { ok: false; reason: string };

/**
 * The check of `checkPython`, remembered per interpreter file and modification time: it costs a
 * Python start (0.1-0.3 s) on the way to the first diagnostics, and an interpreter's version only
 * changes with its file. Only good answers are kept.
 */
export async function checkPythonCached(python: string[], cache: Memento): Promise<VersionCheck> {
  const key = versionCacheKey(python, process.env.PATH);
  const known = key ? cache.get<string>(`python:${key}`) : undefined;
  if (known) return { ok: true, version: known };
  const check = await checkPython(python);
  if (check.ok && key) await cache.update(`python:${key}`, check.version);
  return check;
}

/** Runs the interpreter once (argv, bounded, outside the workspace) and checks it is new enough. */
export function checkPython(python: string[]): Promise<VersionCheck> {
  const script = 'import sys; print("%d.%d" % sys.version_info[:2])';
  const [command, ...args] = python;
  return new Promise((resolve) => {
    execFile(command, [...args, "-c", script], { timeout: VERSION_TIMEOUT_MS, cwd: os.homedir() }, (error, stdout) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        resolve({ ok: false, reason: missing ? `"${command}" was not found` : `"${command}" failed: ${error.message}` });
        return;
      }
      const version = parseVersion(stdout);
      traceVerbose(`${python.join(" ")} is Python ${stdout.trim()}`);
      if (!version) resolve({ ok: false, reason: `"${command}" did not report a Python version` });
      else if (!isSupported(version, MIN_PYTHON)) resolve({ ok: false, reason: `"${command}" is Python ${version.join(".")}` });
      else resolve({ ok: true, version: version.join(".") });
    });
  });
}

export function hasPythonExtension(): boolean {
  return extensions.getExtension(PYTHON_EXTENSION) !== undefined;
}
