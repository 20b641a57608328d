"""Starts the Sindri language server from the libraries bundled in the extension (bundled/libs).

The extension runs this with the user's Python; nothing from the workspace is on sys.path.
"""

import json
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from typing import NoReturn

TOOL = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(os.path.dirname(TOOL), "libs")
sys.path.insert(0, LIBS)
# `sindri.connect` hands the client this command line: the same Python, the same bundled libraries.
os.environ["SINDRI_CLI"] = json.dumps([sys.executable, os.path.join(TOOL, "sindri_cli.py")])

COMPILED = ("pydantic_core/_pydantic_core", "rpds/rpds")
"""The bundled compiled libraries most likely not to fit this Python or machine. Their files are looked
for, not imported: the server loads pydantic only after it has answered `initialize`."""


def fits(module: str) -> bool:
    """A build of `module` for this interpreter's version and platform is bundled."""
    return any(os.path.isfile(os.path.join(LIBS, module + suffix)) for suffix in EXTENSION_SUFFIXES)


def fail(reason: object) -> NoReturn:
    sys.stderr.write(
        f"sindri: the bundled libraries do not load on Python {sys.version.split()[0]} ({reason}). "
        "Set sindri.interpreter to a Python 3.11-3.13 on Linux x86_64, or sindri.serverPath to your "
        "own sindri-lsp.\n"
    )
    sys.exit(1)


missing = [module.replace("/", ".") for module in COMPILED if not fits(module)]
if missing:
    fail(f"no build of {', '.join(missing)} for it")
try:
    from sindri.server.__main__ import main
except ImportError as error:  # a pure library that needs a newer Python, a compiled one that fails
    fail(error)

main()
