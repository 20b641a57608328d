"""The `sindri` command line from the libraries bundled in the extension (used by Connect)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs"))

from sindri.cli.main import main

main()
