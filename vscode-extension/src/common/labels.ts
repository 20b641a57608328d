/** Words and icons shown for environments: pure, unit-tested without VS Code. */

const STATE_ICONS: Record<string, string> = {
  running: "$(vm-running)",
  stopped: "$(debug-stop)",
  paused: "$(debug-pause)",
  suspended: "$(debug-pause)",
  creating: "$(loading~spin)",
  error: "$(error)",
  not_deployed: "$(circle-outline)",
  unknown: "$(question)",
};

export function stateIcon(state: string | null | undefined): string {
  return STATE_ICONS[state ?? "unknown"] ?? "$(question)";
}

/** "not_deployed" -> "not deployed"; no state -> "unknown". */
export function stateText(state: string | null | undefined): string {
  return (state ?? "unknown").replace(/_/g, " ");
}

/** The status bar text: `$(icon) name · provider · state`. */
export function statusBarText(name: string, provider: string, state: string | null | undefined): string {
  return `${stateIcon(state)} ${name} · ${provider} · ${stateText(state)}`;
}

export const ACTION_TITLES: Record<string, { progress: string; done: string }> = {
  deploy: { progress: "Deploying", done: "deployed" },
  start: { progress: "Starting", done: "started" },
  stop: { progress: "Stopping", done: "stopped" },
  destroy: { progress: "Destroying", done: "destroyed" },
  plan: { progress: "Planning", done: "planned" },
  status: { progress: "Reading the status of", done: "read" },
};

/** A valid environment name from a folder name: lowercase letters, digits and dashes. */
export function nameFromFolder(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/-{2,}/g, "-");
  return /^[a-z]/.test(name) ? name.slice(0, 48).replace(/-+$/, "") : `dev-${name}`.slice(0, 48).replace(/-+$/, "");
}
