"""Findings: what the validation engine reports, in a shape both the CLI and the language server use.

Positions are 0-based lines and 0-based columns counted in Unicode code points of the decoded text
(a leading BOM, when the caller passes it in a `str`, counts as one code point on line 0). LSP clients
default to UTF-16 offsets: the server converts (or negotiates the `utf-32` position encoding).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, NamedTuple

DOCS_FILE = Path(__file__).resolve().with_name("findings.md")
"""Shipped inside the package, so the links work from an installed wheel too."""


class Severity(IntEnum):
    """LSP DiagnosticSeverity numbering."""

    ERROR = 1
    WARNING = 2
    INFO = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, col: int, end_line: int, end_col: int) -> Range:
        return cls(Position(line, col), Position(end_line, end_col))


@dataclass(frozen=True, slots=True)
class TextEdit:
    range: Range
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    preferred: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    range: Range
    path: tuple[str | int, ...]
    fixes: tuple[Fix, ...] = ()
    related: tuple[tuple[Range, str], ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (0-based positions, as in the LSP)."""
        return {
            "code": self.code,
            "severity": self.severity.label,
            "message": self.message,
            "range": _range_dict(self.range),
            "path": list(self.path),
            "fixes": [
                {
                    "title": f.title,
                    "preferred": f.preferred,
                    "edits": [{"range": _range_dict(e.range), "newText": e.new_text} for e in f.edits],
                }
                for f in self.fixes
            ],
            "related": [{"range": _range_dict(r), "message": m} for r, m in self.related],
            "data": dict(self.data),
            "docUrl": doc_url(self.code),
        }


def _range_dict(r: Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


class CodeInfo(NamedTuple):
    title: str
    severity: Severity


# Every code the engine emits. Codes are stable: never renumber, only add. findings.md (beside this
# module) has one section per code, anchored by the lower-cased code.
CODES: dict[str, CodeInfo] = {
    # SY1xx: reading the text as YAML
    "SY101": CodeInfo("YAML syntax error", Severity.ERROR),
    "SY102": CodeInfo("Tab used for indentation", Severity.ERROR),
    "SY103": CodeInfo("More than one YAML document", Severity.WARNING),
    "SY104": CodeInfo("Duplicate key", Severity.ERROR),
    "SY105": CodeInfo("Key is not a plain scalar", Severity.ERROR),
    "SY106": CodeInfo("Not valid UTF-8", Severity.ERROR),
    "SY107": CodeInfo("File too large", Severity.ERROR),
    "SY108": CodeInfo("Alias expansion over budget", Severity.ERROR),
    "SY109": CodeInfo("Nesting too deep", Severity.ERROR),
    "SY110": CodeInfo("Recursive alias", Severity.ERROR),
    "SY111": CodeInfo("YAML 1.1 reads the value differently", Severity.WARNING),
    # SC2xx: the document against the schema
    "SC201": CodeInfo("Empty configuration", Severity.ERROR),
    "SC202": CodeInfo("Unknown key", Severity.WARNING),
    "SC203": CodeInfo("Missing required key", Severity.ERROR),
    "SC204": CodeInfo("Wrong type", Severity.ERROR),
    "SC205": CodeInfo("Value not allowed", Severity.ERROR),
    "SC206": CodeInfo("Value does not match the expected format", Severity.ERROR),
    "SC207": CodeInfo("Value out of range", Severity.ERROR),
    "SC208": CodeInfo("Conflicting keys", Severity.ERROR),
    "SC209": CodeInfo("Schema constraint failed", Severity.ERROR),
    "SC299": CodeInfo("Internal error", Severity.ERROR),
    # SE3xx: meaning the schema cannot express
    "SE301": CodeInfo("Provider not supported by this tool", Severity.ERROR),
    "SE302": CodeInfo("GPU not available on the chosen provider", Severity.ERROR),
    "SE303": CodeInfo("Settings for a provider that is not chosen", Severity.INFO),
    "SE304": CodeInfo("Field ignored by the chosen provider", Severity.INFO),
    "SE305": CodeInfo("Derived resource name over the provider's limit", Severity.ERROR),
    "SE306": CodeInfo("Secret file not found or not a file", Severity.WARNING),
    "SE307": CodeInfo("Unknown extension", Severity.WARNING),
    "SE308": CodeInfo("Unknown profile", Severity.WARNING),
    "SE309": CodeInfo("DevPod remote backend without buildRepository", Severity.WARNING),
    "SE310": CodeInfo("Distro does not match the image tag", Severity.INFO),
    "SE311": CodeInfo("Deprecated extension", Severity.INFO),
    "SE312": CodeInfo("Duplicate secret name", Severity.WARNING),
    "SE313": CodeInfo("Invalid Kubernetes name", Severity.ERROR),
    "SE314": CodeInfo("Both image and image_config set", Severity.INFO),
    "SE315": CodeInfo("Extension listed twice", Severity.INFO),
    "SE316": CodeInfo("Host port published twice", Severity.ERROR),
    "SE320": CodeInfo("Secret too short to be masked", Severity.WARNING),
    "SE321": CodeInfo("Secret file outside the config's folder", Severity.WARNING),
    # (new SE3xx codes are taken from the end of the range down, so parallel additions do not clash)
    "SE380": CodeInfo("Unknown Northflank region", Severity.WARNING),
    "SE381": CodeInfo("Unknown Northflank GPU type", Severity.WARNING),
    "SE390": CodeInfo("RunPod GPU setting on a CPU pod", Severity.WARNING),
    "SE391": CodeInfo("RunPod pod volume too small", Severity.ERROR),
    "SE394": CodeInfo("Value changed by the provider", Severity.INFO),
    "SE395": CodeInfo("No image for a provider that cannot build one", Severity.ERROR),
    "SE396": CodeInfo("Setting for a mode that is not selected", Severity.WARNING),
    "SE397": CodeInfo("Options for a backend that is not selected", Severity.WARNING),
    "SE398": CodeInfo("Resource amount the provider cannot run", Severity.ERROR),
    "SE399": CodeInfo("Port out of range", Severity.ERROR),
    # PR4xx: the chosen provider's prerequisites (language server only; computed off the editing path)
    "PR401": CodeInfo("Provider tool not installed", Severity.WARNING),
    "PR402": CodeInfo("Not logged in to the provider", Severity.WARNING),
    "PR403": CodeInfo("Provider daemon or cluster not reachable", Severity.WARNING),
    "PR404": CodeInfo("Environment variable not set", Severity.WARNING),
}


@functools.cache
def doc_url(code: str) -> str:
    """Where a code is explained: the single place that decides (the LSP's codeDescription)."""
    return f"{DOCS_FILE.as_uri()}#{code.lower()}"


def make(
    code: str,
    message: str,
    range_: Range,
    path: tuple[str | int, ...],
    *,
    severity: Severity | None = None,
    fixes: tuple[Fix, ...] = (),
    related: tuple[tuple[Range, str], ...] = (),
    data: Mapping[str, Any] | None = None,
) -> Finding:
    """Build a finding with its code's default severity unless told otherwise."""
    return Finding(
        code=code,
        severity=severity if severity is not None else CODES[code].severity,
        message=message,
        range=range_,
        path=path,
        fixes=fixes,
        related=related,
        data=data or {},
    )
