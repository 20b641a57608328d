"""Starts the Sindri language server from the libraries bundled in the extension (bundled/libs).

The extension runs this with the user's Python; nothing from the workspace is on sys.path.
"""

import json
import os
import sys

TOOL = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(os.path.dirname(TOOL), "libs")
sys.path.insert(0, LIBS)
# `sindri.connect` hands the client this command line: the same Python, the same bundled libraries.
os.environ["SINDRI_CLI"] = json.dumps([sys.executable, os.path.join(TOOL, "sindri_cli.py")])

try:
    import pydantic_core  # noqa: F401  (the compiled library most likely not to fit this Python)
    import rpds  # noqa: F401
    from sindri.server.__main__ import main
except ImportError as error:  # a compiled library built for another Python or machine
    sys.stderr.write(
        f"sindri: the bundled libraries do not load on Python {sys.version.split()[0]} ({error}). "
        "Set sindri.interpreter to a Python 3.11-3.13 on Linux x86_64, or sindri.serverPath to your "
        "own sindri-lsp.\n"
    )
    sys.exit(1)

main()
