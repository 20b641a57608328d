/** The settings used to launch the server, read per workspace folder like the template does. */
import { ConfigurationChangeEvent, workspace, WorkspaceFolder } from "vscode";
import { RESTART_SETTINGS, SETTINGS_SECTION } from "./constants";
import { LaunchSettings } from "./launch";

/**
 * Launch settings for the first workspace folder (one server serves the window). In an untrusted
 * workspace VS Code returns only the user's own values of these restricted settings.
 */
export function launchSettings(folder?: WorkspaceFolder): LaunchSettings {
  const config = workspace.getConfiguration(SETTINGS_SECTION, folder?.uri);
  const interpreter = config.get<unknown>("interpreter");
  const serverPath = config.get<unknown>("serverPath");
  return {
    interpreter: Array.isArray(interpreter) ? interpreter.filter((x): x is string => typeof x === "string") : [],
    serverPath: typeof serverPath === "string" ? serverPath : "",
  };
}

export function needsRestart(event: ConfigurationChangeEvent): boolean {
  return RESTART_SETTINGS.some((key) => event.affectsConfiguration(key));
}
