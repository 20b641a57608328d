"""Median time to validate a 100-line and a 5,000-line sindri.yaml, to reject an alias bomb, and to
report 5,000 duplicate keys (each with its fix: this was quadratic in the file's size).

Targets (issue 2): 100 lines <= 5 ms, 5,000 lines <= 150 ms, alias bomb <= 100 ms. Run:
`.venv/bin/python bench/validate.py`. The compiled validator is warmed once first, as in the server.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sindri.schemas.validate import validate_text

HEAD = (
    'version: "3.0"\nname: bench\ndeployment:\n  provider: docker\n'
    "  resources:\n    memory: 4GB\n    cpus: 2\n"
)


def document(lines: int) -> str:
    """A valid document of about `lines` lines: secrets make up the bulk, as in a large real config."""
    secrets = "".join(f"  - name: SECRET_{i}\n    source: env\n" for i in range((lines - 10) // 2))
    return HEAD + "extensions:\n  profile: minimal\nsecrets:\n" + secrets


def alias_bomb() -> str:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(rows) + "\n"


def duplicates(count: int) -> str:
    return HEAD + "".join(f"    memory: {i}GB\n" for i in range(count))


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    validate_text(document(100))  # compile the schema validator once
    small, large, bomb, dups = document(100), document(5000), alias_bomb(), duplicates(5000)
    assert validate_text(small).config is not None and validate_text(large).config is not None
    assert [f.code for f in validate_text(bomb).findings] == ["SY108"]
    print(f"100-line document:   {median_ms(lambda: validate_text(small), 200):7.2f} ms (target 5)")
    print(f"5,000-line document: {median_ms(lambda: validate_text(large), 20):7.2f} ms (target 150)")
    print(f"alias bomb rejected: {median_ms(lambda: validate_text(bomb), 200):7.2f} ms (target 100)")
    print(f"5,000 duplicate keys: {median_ms(lambda: validate_text(dups), 5):6.2f} ms")


if __name__ == "__main__":
    main()
