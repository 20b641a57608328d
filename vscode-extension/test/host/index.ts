/**
 * Runs inside code-server's extension host (the `extensionTestsPath` of a development payload):
 * a mocha suite with the real `vscode` API. Results go to a JSON file the driver (run.mjs) polls.
 */
import * as fs from "fs";
import * as path from "path";
import Mocha from "mocha";

interface Outcome {
  title: string;
  state: "passed" | "failed";
  error?: string;
}

export function run(): Promise<void> {
  const suite = process.env.SINDRI_HOST_SUITE ?? "trusted";
  const results = process.env.SINDRI_HOST_RESULTS;
  const mocha = new Mocha({ ui: "bdd", timeout: 90_000, reporter: "dot" });
  mocha.addFile(path.join(__dirname, `${suite}.test.js`));
  const outcomes: Outcome[] = [];
  return new Promise((resolve) => {
    const runner = mocha.run(() => {
      if (results) fs.writeFileSync(results, JSON.stringify({ suite, outcomes }, null, 2));
      resolve();
    });
    runner.on("pass", (test) => outcomes.push({ title: test.fullTitle(), state: "passed" }));
    runner.on("fail", (test, error: Error) => outcomes.push({ title: test.fullTitle(), state: "failed", error: error.stack ?? String(error) }));
  });
}
