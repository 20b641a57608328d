import { describe, expect, it } from "vitest";
import { nameFromFolder, statusBarText, stateText } from "../../src/common/labels";

describe("labels", () => {
  it("writes the status bar text with an icon per state", () => {
    expect(statusBarText("web", "docker", "running")).toBe("$(vm-running) web · docker · running");
    expect(statusBarText("web", "fly", "not_deployed")).toBe("$(circle-outline) web · fly · not deployed");
    expect(statusBarText("web", "fly", null)).toBe("$(question) web · fly · unknown");
  });
  it("says unknown for no state", () => expect(stateText(undefined)).toBe("unknown"));
  it.each([
    ["My Project", "my-project"],
    ["api__v2", "api-v2"],
    ["42", "dev-42"],
    ["---", "dev"],
  ])("names the folder %s as %s", (folder, name) => expect(nameFromFolder(folder)).toBe(name));
});
