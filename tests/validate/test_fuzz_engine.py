"""Property: the validation engine never raises, on generated and mutated documents, and every finding
it returns is positioned inside the text. CI runs a bounded number; `bench/fuzz.py` runs 20,000."""

from __future__ import annotations

from fuzzing import documents
from hypothesis import HealthCheck, given, settings
from sindri.schemas.positioned import split_lines
from sindri.schemas.validate import validate_text

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@FUZZ
@given(documents)
def test_validation_never_raises_and_positions_every_finding(text: str) -> None:
    result = validate_text(text)
    lines = split_lines(text.removeprefix("\ufeff"))
    for finding in result.findings:
        start, end = finding.range.start, finding.range.end
        assert 0 <= start.line <= end.line <= len(lines), finding
        assert (start.line, start.character) <= (end.line, end.character), finding
        assert finding.message and finding.code[:2] in ("SY", "SC", "SE"), finding
