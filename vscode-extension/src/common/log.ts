/** One LogOutputChannel for the client, the server's stderr, its trace and the tools' output. */
import { LogOutputChannel, window } from "vscode";
import { OUTPUT_NAME } from "./constants";

let channel: LogOutputChannel | undefined;

export function createChannel(): LogOutputChannel {
  channel = window.createOutputChannel(OUTPUT_NAME, { log: true });
  return channel;
}

export function traceInfo(message: string): void {
  channel?.info(message);
}

export function traceWarn(message: string): void {
  channel?.warn(message);
}

export function traceError(message: string, error?: unknown): void {
  channel?.error(error === undefined ? message : `${message}: ${describe(error)}`);
}

export function traceVerbose(message: string): void {
  channel?.debug(message);
}

export function showOutput(): void {
  channel?.show(true);
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
