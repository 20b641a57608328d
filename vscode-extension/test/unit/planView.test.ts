import { describe, expect, it } from "vitest";
import { escapeMarkdown, renderPlan } from "../../src/common/planView";

const plan = {
  provider: "docker",
  actions: [{ action: "create", resource: "container web", description: "start the container" }],
  resources: [{ resource_type: "volume", name: "sindri-web_home", config: { mount: "/alt/home/developer" } }],
  files: ["/w/.sindri/docker/docker-compose.yml", "/w/.sindri/docker/other.txt"],
  warnings: ["cpus capped at 2"],
  generatedFiles: [{ path: "/w/.sindri/docker/docker-compose.yml", language: "yaml", content: "services:\n  web: {}\n" }],
};

describe("renderPlan", () => {
  const page = renderPlan("web", "/w/sindri.yaml", plan);
  it("lists steps, resources and warnings", () => {
    expect(page).toContain("# Plan: web on docker");
    expect(page).toContain("1. **create** container web: start the container");
    expect(page).toContain("**volume** `sindri-web_home` (mount: /alt/home/developer)");
    expect(page).toContain("cpus capped at 2");
  });
  it("shows each generated file's content in a fenced block, and lists the others", () => {
    expect(page).toContain("### `/w/.sindri/docker/docker-compose.yml`\n\n```yaml\nservices:\n  web: {}\n```");
    expect(page).toContain("- `/w/.sindri/docker/other.txt`");
  });
  it("uses a longer fence when the content holds one", () => {
    const withFence = renderPlan("x", "/c", { ...plan, generatedFiles: [{ path: "/f", language: "", content: "```\n" }] });
    expect(withFence).toContain("````\n```\n````");
  });
  it("escapes Markdown in names from the config", () => {
    expect(escapeMarkdown("a*b_[c]")).toBe("a\\*b\\_\\[c\\]");
  });
});
