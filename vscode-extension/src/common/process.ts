/** The server process: spawned by us the moment the launch is known, handed to the language client. */
import { ChildProcess, spawn } from "child_process";
import * as os from "os";
import { Launch } from "./launch";

/** After the client's stop, how long the server has to exit before SIGTERM, then before SIGKILL. */
const EXIT_GRACE_MS = 2000;
const KILL_GRACE_MS = 3000;

/**
 * Starts the server now. The client would spawn it only after awaiting the file system, and while
 * VS Code activates other extensions on the same thread each await can wait a few hundred
 * milliseconds: time the server's imports can use instead (issue 9, activation -> diagnostics).
 */
export function spawnServer(launch: Launch): { child: ChildProcess; spawned: Promise<ChildProcess> } {
  const child = spawn(launch.command, launch.args, {
    // Never the workspace: a relative PATH entry there must not find the repository's programs.
    cwd: os.homedir(),
    env: { ...process.env, PYTHONNOUSERSITE: "1" },
  });
  const spawned = new Promise<ChildProcess>((resolve, reject) => {
    child.once("spawn", () => resolve(child));
    child.once("error", reject);
  });
  spawned.catch(() => undefined); // a failed spawn is reported by whoever awaits it (the client's start)
  return { child, spawned };
}

/** Ends `child` if it outlives the client's shutdown (the client only ends processes it spawned). */
export function endProcess(child: ChildProcess): void {
  const running = () => child.exitCode === null && child.signalCode === null;
  setTimeout(() => {
    if (!running()) return;
    child.kill("SIGTERM");
    setTimeout(() => running() && child.kill("SIGKILL"), KILL_GRACE_MS).unref();
  }, EXIT_GRACE_MS).unref();
}
