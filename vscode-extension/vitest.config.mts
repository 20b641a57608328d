import { defineConfig } from "vitest/config";

// Unit tests of the pure modules (no `vscode` import): launch, targets, labels, planView.
export default defineConfig({ test: { include: ["test/unit/**/*.test.ts"] } });
