"""Property: every handler of the language server answers every request about generated and mutated
documents, with a result (never an error), and the server keeps running. One real server over stdio
for the whole run; CI runs a bounded number of documents, `bench/fuzz.py` runs 20,000."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzzing import StdioServer, documents, exercise, positions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
WAIT = 30.0
"""Seconds for any reply: a missing one fails the run (tests assert no timings)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StdioServer, Path]]:
    root = tmp_path_factory.mktemp("fuzz")
    started = StdioServer([sys.executable, "-m", "sindri.server"], {"prerequisiteChecks": False})
    started.initialize(root)
    yield started, root
    started.close()


@FUZZ
@given(text=documents, spots=st.lists(positions, min_size=1, max_size=3), n=st.integers(0, 10**9))
def test_every_request_gets_a_result(
    server: tuple[StdioServer, Path], text: str, spots: list[tuple[int, int]], n: int
) -> None:
    process, root = server
    uri = (root / f"{n}" / "sindri.yaml").as_uri()

    def check(method: str, reply: dict[str, Any]) -> None:
        assert "error" not in reply, (method, reply["error"])

    exercise(process, uri, text, spots, WAIT, check)
    assert process.alive()
