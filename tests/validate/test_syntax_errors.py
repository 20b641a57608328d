"""Issue 11 §4 through `sindri validate --format json`: a YAML syntax error points at the token that is
wrong, in our own words, with no 1-based positions inside the message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import run_sindri

HEAD = 'version: "3.0"\nname: demo\n'
CASES = [
    # (text, 0-based start of the finding, words the message has)
    ('version: "3.0\nname: demo\n', (0, 9), 'unclosed quote: the "'),
    (HEAD + "deployment:\n  provider: docker\n    image: x\n", (4, 4), "bad indentation: 'image'"),
    (HEAD + "deployment:\n    provider: docker\n  image: x\n", (4, 2), "indented by 0 or 4"),
    (HEAD + "extensions:\n  profile: minimal\n  - nodejs\n", (4, 2), "a list item where a key was expected"),
    (
        HEAD + "extensions:\n  active:\n    - nodejs\n    profile: x\n",
        (5, 4),
        "a mapping key where a list item",
    ),
    (HEAD + "deployment\n  provider: docker\n", (2, 0), "'deployment' has no ':' after it"),
    (HEAD + "secrets: [a, b\nextensions: x\n", (2, 9), "unclosed '['"),
    ('version: "3.0"\nname: demo: x\n', (1, 10), "': ' inside a plain value"),
    ("version: @3\n", (0, 9), "'@' cannot start a plain value"),
]


@pytest.mark.parametrize(("text", "start", "words"), CASES, ids=[c[2][:24] for c in CASES])
def test_syntax_error_at_the_token_in_our_words(
    tmp_path: Path, text: str, start: tuple[int, int], words: str
) -> None:
    path = tmp_path / "sindri.yaml"
    path.write_text(text)
    result = run_sindri("validate", "--format", "json", str(path))
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "SY101"
    assert (finding["range"]["start"]["line"], finding["range"]["start"]["character"]) == start
    assert words in finding["message"]
    assert not re.search(r"line \d|column", finding["message"])  # positions are the range's job
    assert "while parsing" not in finding["message"] and "did not find" not in finding["message"]


def test_where_a_construct_started_is_related_information(tmp_path: Path) -> None:
    path = tmp_path / "sindri.yaml"
    path.write_text(HEAD + "extensions:\n  active:\n    - nodejs\n    profile: x\n")
    (finding,) = json.loads(run_sindri("validate", "--format", "json", str(path)).stdout)
    (related,) = finding["related"]
    assert (
        related["range"]["start"] == {"line": 4, "character": 4}
        and related["message"] == "the list starts here"
    )
