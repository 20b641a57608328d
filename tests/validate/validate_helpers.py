"""Shared helpers for the validation tests: run the engine, pick findings, apply a fix's edits."""

from __future__ import annotations

import re

from sindri.schemas.findings import Finding, Fix, Range
from sindri.schemas.validate import ValidationResult, validate_text

VALID = 'version: "3.0"\nname: demo\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'


def codes(result: ValidationResult) -> list[str]:
    return [f.code for f in result.findings]


def only(text: str | bytes, code: str, **kwargs: object) -> Finding:
    """The single finding with `code` (fails if there is none or several)."""
    result = validate_text(text, **kwargs)  # type: ignore[arg-type]
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in result.findings]
    return found[0]


def span(f: Finding) -> tuple[int, int, int, int]:
    r = f.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def apply(text: str, fix: Fix) -> str:
    """Apply a fix's edits (0-based, code points) to text, last edit first."""
    lines = re.split(r"(?<=\n)", text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(r: Range, end: bool) -> int:
        p = r.end if end else r.start
        return offsets[p.line] + p.character

    out = text
    for edit in sorted(fix.edits, key=lambda e: offset(e.range, False), reverse=True):
        out = out[: offset(edit.range, False)] + edit.new_text + out[offset(edit.range, True) :]
    return out
