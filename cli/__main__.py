"""`python -m sindri.cli`: the `sindri` command line, for an interpreter whose scripts are not on PATH."""

from .main import main

main()
