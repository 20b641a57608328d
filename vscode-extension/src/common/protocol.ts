/**
 * The server's side of the contract, mirrored from server/payloads.py: command ids, arguments,
 * results and the `sindri/status` notification. Declared once; every module uses these types.
 */

export type LifecycleAction = "deploy" | "plan" | "status" | "start" | "stop" | "destroy";
export type ServerCommand = `sindri.${LifecycleAction}` | "sindri.connect" | "sindri.validate" | "sindri.doctor" | "sindri.newConfig" | "sindri.environments";

export interface InitializationOptions {
  /** false in an untrusted workspace: the server runs no tool and refuses lifecycle commands. */
  trusted: boolean;
  /** The client renders `$(icon)` in code lens titles. */
  codicons: boolean;
}

export interface LifecycleFlags {
  force?: boolean;
  yes?: boolean;
  /** A token the client created: the server reports the tools' output lines on it. */
  progressToken?: string;
}

export interface Failure {
  action: string;
  success: false;
  error: string;
  hint?: string | null;
  cancelled?: boolean;
  untrusted?: boolean;
}

export interface PlannedAction {
  action: string;
  resource: string;
  description: string;
}

export interface PlannedResource {
  resource_type: string;
  name: string;
  config: Record<string, unknown>;
}

export interface GeneratedFile {
  path: string;
  language: string;
  content: string;
}

export interface DeploymentPlan {
  provider: string;
  actions: PlannedAction[];
  resources: PlannedResource[];
  files: string[];
  warnings: string[];
  generatedFiles?: GeneratedFile[];
}

export interface DeploymentStatus {
  name?: string;
  provider?: string;
  state: string;
  [key: string]: unknown;
}

export interface ActionSuccess {
  success: true;
  action: string;
  name: string;
  provider: string;
  config_path: string;
  plan?: DeploymentPlan | null;
  status?: DeploymentStatus | null;
  destroyed?: string[];
  warnings?: string[];
  [key: string]: unknown;
}

export type ActionResult = ActionSuccess | Failure;

export interface ConnectCommand {
  command: string[];
  commandLine: string;
  cwd: string;
  name: string;
  provider: string;
}

export interface EnvironmentInfo {
  uri: string;
  name: string | null;
  provider: string | null;
  state: string | null;
  error?: string | null;
}

export interface ValidateResult {
  uri: string;
  findings: { severity: string; code: string; message: string }[];
}

export interface StarterRequest {
  provider: string;
  name?: string;
  profile?: string;
}

export interface StatusNotification {
  uri: string;
  name: string;
  provider: string;
  state: string;
}

export const STATUS_NOTIFICATION = "sindri/status";

export function isFailure(result: unknown): result is Failure {
  return typeof result === "object" && result !== null && (result as { success?: unknown }).success === false;
}
