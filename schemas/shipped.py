"""The JSON Schema of sindri.yaml as shipped with the package (`sindri.schema.json`).

Kept apart from `generate.py` so that reading it costs no import of pydantic's schema generator:
every start of the CLI and the language server reads it, and the drift test guarantees the file is
what the model generates.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("sindri.schema.json")


@functools.cache
def _text() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of sindri.yaml (a fresh copy the caller may change)."""
    result: dict[str, Any] = json.loads(_text())
    return result
