"""Rendering the files providers generate, with values escaped for the target format.

Why filters instead of raw interpolation: a name, path or env value containing quotes, newlines, `#`
or `{{` must not break or inject into the generated YAML, TOML or JSON. Jinja never re-evaluates a
value, and each filter below emits a complete, quoted literal of its format.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket

_ASTRAL = re.compile("([\U00010000-\U0010ffff])")


def _quoted(value: object) -> str:
    """A double-quoted, ASCII-only string literal valid in both YAML and TOML.

    JSON's escapes, except that characters beyond the BMP (emoji...) become `\\UXXXXXXXX`: JSON's
    surrogate pairs are refused by TOML and by Go's YAML parser (Compose), which YAML and TOML both
    accept as one 32-bit escape.
    """
    parts = _ASTRAL.split(str(value))
    return (
        '"'
        + "".join(
            f"\\U{ord(part):08X}" if index % 2 else json.dumps(part, ensure_ascii=True)[1:-1]
            for index, part in enumerate(parts)
        )
        + '"'
    )


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar (valid YAML 1.2 and 1.1)."""
    return _quoted(value)


def toml_str(value: object) -> str:
    """A TOML basic string."""
    return _quoted(value)


def to_json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=True)


def shell_quote(value: object) -> str:
    return shlex.quote(str(value))


class _BestEffortCache(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in its private per-user temp folder; never an error."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> BytecodeCache | None:
    """Compiling a template takes ~15 ms of every CLI run; the cache keys on the template's source."""
    try:
        return _BestEffortCache()
    except (OSError, RuntimeError):  # no private temp folder can be made: compile each time
        return None


_env = Environment(
    loader=PackageLoader("sindri.templates", ""),
    bytecode_cache=_bytecode_cache(),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(yaml_str=yaml_str, toml_str=toml_str, json=to_json, shell_quote=shell_quote)


def render(template: str, **context: Any) -> str:
    """Render `templates/<template>` with every variable required (StrictUndefined)."""
    return _env.get_template(template).render(**context)
