/** How the server process is started: pure functions, unit-tested without VS Code. */
import * as fs from "fs";
import * as path from "path";

export interface LaunchSettings {
  /** `sindri.interpreter`: a command line for Python, empty when unset. */
  interpreter: string[];
  /** `sindri.serverPath`: a `sindri-lsp` of the user's own, empty when unset. */
  serverPath: string;
}

export interface Launch {
  command: string;
  args: string[];
  /** The Python whose version must be checked, when the server runs on one we chose. */
  python?: string[];
}

/** `~` and `~/x` are the home folder, as a shell would read them. */
export function expandHome(value: string, home: string): string {
  if (value === "~") return home;
  return value.startsWith("~/") ? path.join(home, value.slice(2)) : value;
}

/**
 * The bundled server needs nothing from the interpreter's environment: -I keeps PYTHONPATH and the
 * user's site-packages out, -S the interpreter's site-packages, whose .pth files run code at every
 * start (and take 10-30 ms of it).
 */
const ISOLATED = ["-I", "-S"];

/**
 * The server's command line: the user's own `sindri-lsp` when set, else the bundled launcher run
 * by the chosen Python. A relative path is refused: it would resolve inside the workspace.
 */
export function serverLaunch(settings: LaunchSettings, python: string[], extensionPath: string, home: string, logLevel: string): Launch {
  const level = ["--log-level", logLevel];
  if (settings.serverPath.trim()) {
    const exe = expandHome(settings.serverPath.trim(), home);
    if (!path.isAbsolute(exe)) {
      throw new Error(`sindri.serverPath must be an absolute path (got "${settings.serverPath}")`);
    }
    return { command: exe, args: level };
  }
  const launcher = path.join(extensionPath, "bundled", "tool", "lsp_server.py");
  return { command: python[0], args: [...python.slice(1), ...ISOLATED, launcher, ...level], python };
}

/** The interpreter: the setting, else the Python extension's environment, else `python3`. */
export function choosePython(setting: string[], fromPythonExtension: string[] | undefined): string[] {
  const configured = setting.filter((part) => part.trim() !== "");
  if (configured.length > 0) return configured;
  if (fromPythonExtension && fromPythonExtension.length > 0) return fromPythonExtension;
  return ["python3"];
}

/** "3.12" -> [3, 12]; undefined for anything else. */
export function parseVersion(text: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)\s*$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isSupported(version: [number, number], minimum: readonly [number, number]): boolean {
  return version[0] > minimum[0] || (version[0] === minimum[0] && version[1] >= minimum[1]);
}

/** The server's --log-level from the output channel's level (VS Code's LogLevel numbering). */
export function serverLogLevel(channelLevel: number): string {
  // 0 Off, 1 Trace, 2 Debug, 3 Info, 4 Warning, 5 Error
  if (channelLevel === 1 || channelLevel === 2) return "DEBUG";
  if (channelLevel === 3) return "INFO";
  if (channelLevel === 4) return "WARNING";
  return "ERROR";
}

/**
 * Where a command runs from: an absolute path as is, a bare name through PATH's absolute entries only
 * (a relative entry would resolve inside the workspace). Undefined when it is not found.
 */
export function resolveExecutable(command: string, pathVariable: string | undefined): string | undefined {
  const candidates = path.isAbsolute(command)
    ? [command]
    : command.includes("/")
      ? []
      : (pathVariable ?? "").split(path.delimiter).filter((dir) => path.isAbsolute(dir)).map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return fs.realpathSync(candidate);
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

/** What a version check is cached under: the interpreter's real file and its modification time. */
export function versionCacheKey(python: string[], pathVariable: string | undefined): string | undefined {
  const exe = resolveExecutable(python[0], pathVariable);
  if (!exe) return undefined;
  return `${exe}@${fs.statSync(exe).mtimeMs}|${python.slice(1).join(" ")}`;
}
