# Two commands for a fresh machine: `make demo` (the main job) and `make test` (lint, types, tests).
VENV := .venv
PY := $(VENV)/bin/python
PARTS := schemas providers templates server cli

.PHONY: demo test setup lint typecheck pytest schema vsix extension-check
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: setup
	bash scripts/demo.sh

test: lint typecheck extension-check pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy cannot follow the editable install's import hook, so it checks a link farm named like the package.
typecheck: setup
	rm -rf build/typecheck && mkdir -p build/typecheck/sindri
	for p in $(PARTS); do ln -s ../../../$$p build/typecheck/sindri/$$p; done
	cd build/typecheck && ../../$(VENV)/bin/mypy --config-file ../../pyproject.toml -p sindri

pytest: setup
	bash scripts/pytest.sh

# The VS Code extension with the Python server inside: vscode-extension/sindri.vsix.
vsix: setup
	bash scripts/build-vsix.sh

# The extension's own checks: npm packages, TypeScript types, eslint, unit tests of the pure modules.
extension-check:
	cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error
	cd vscode-extension && npm run --silent typecheck && npm run --silent lint && npm run --silent test:unit
