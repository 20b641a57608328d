/** The Plan preview: a Markdown page of what deploy would create. Pure, unit-tested. */
import { DeploymentPlan, PlannedAction, PlannedResource } from "./protocol";

function fence(content: string): string {
  let ticks = "```";
  while (content.includes(ticks)) ticks += "`";
  return ticks;
}

function describeAction(action: PlannedAction): string {
  return `**${action.action}** ${escapeMarkdown(action.resource)}: ${escapeMarkdown(action.description)}`;
}

function describeResource(resource: PlannedResource): string {
  const extra = Object.entries(resource.config ?? {})
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  return `**${escapeMarkdown(resource.resource_type)}** \`${resource.name}\`${extra.length ? ` (${escapeMarkdown(extra.join(", "))})` : ""}`;
}

/** Escapes Markdown in text that came from the config (names, paths). */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!|<>])/g, "\\$1");
}

export function renderPlan(name: string, configPath: string, plan: DeploymentPlan): string {
  const lines = [`# Plan: ${escapeMarkdown(name)} on ${escapeMarkdown(plan.provider)}`, "", `From \`${configPath}\`. Nothing has been changed yet: **Deploy** does this.`, ""];
  if (plan.warnings.length) {
    lines.push("## Warnings", "", ...plan.warnings.map((w) => `- ⚠️ ${escapeMarkdown(w)}`), "");
  }
  lines.push("## Steps", "", ...(plan.actions.length ? plan.actions.map((a, i) => `${i + 1}. ${describeAction(a)}`) : ["Nothing to do."]), "");
  if (plan.resources.length) {
    lines.push("## Resources", "", ...plan.resources.map((r) => `- ${describeResource(r)}`), "");
  }
  const generated = plan.generatedFiles ?? [];
  if (generated.length || plan.files.length) {
    lines.push("## Generated files", "");
    for (const file of generated) {
      const ticks = fence(file.content);
      lines.push(`### \`${file.path}\``, "", `${ticks}${file.language}`, file.content.replace(/\n$/, ""), ticks, "");
    }
    const shown = new Set(generated.map((f) => f.path));
    for (const file of plan.files.filter((f) => !shown.has(f))) lines.push(`- \`${file}\``);
    lines.push("");
  }
  return lines.join("\n");
}
