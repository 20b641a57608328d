"""The Sindri language server, `sindri-lsp`."""

VERSION = "0.1.0"
"""The distribution's version; pyproject.toml takes it from here. The server names it at `initialize`
without reading the installed package's metadata, whose import took ~10 ms of every start."""
