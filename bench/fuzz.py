"""Fuzz run: generated and mutated sindri.yaml documents through the validation engine (in process)
and through every language server handler (one real server over stdio). Prints crashes, hangs (over
1 s) and peak memory. The documents come from the same Hypothesis strategies as the tests
(tests/fuzzing.py); the tests run a bounded number in CI, this runs many.

    .venv/bin/python bench/fuzz.py [--documents 20000] [--no-lsp] [--json]

A crash is an exception from the engine, an error reply from the server, or the server exiting; a hang
is an engine run or a reply that took more than 1 s (the reply is still awaited, up to 30 s).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import StdioServer, documents, exercise, positions  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sindri.schemas.validate import validate_text  # noqa: E402

HANG = 1.0
WAIT = 30.0


class Run:
    def __init__(self, lsp: bool, root: Path) -> None:
        self.count = 0
        self.crashes: list[str] = []
        self.hangs: list[str] = []
        self.slowest = {"engine": 0.0, "lsp": 0.0}
        self.replies: Counter[str] = Counter()
        self.root = root
        self.server = self._start() if lsp else None
        self.server_peak_mb = 0.0

    def _start(self) -> StdioServer:
        server = StdioServer([sys.executable, "-m", "sindri.server"], {"prerequisiteChecks": False})
        server.initialize(self.root)
        return server

    def document(self, text: str, spots: list[tuple[int, int]]) -> None:
        self.count += 1
        start = time.perf_counter()
        try:
            validate_text(text)
        except Exception:
            self.crashes.append(f"engine: {traceback.format_exc(limit=3)} on {text[:200]!r}")
        self._timed("engine", time.perf_counter() - start, text)
        if self.server is not None:
            self._lsp(text, spots)

    def _lsp(self, text: str, spots: list[tuple[int, int]]) -> None:
        assert self.server is not None
        uri = (self.root / str(self.count) / "sindri.yaml").as_uri()
        sent = time.perf_counter()

        def on_reply(method: str, reply: dict[str, Any]) -> None:
            nonlocal sent
            self.replies[method] += 1
            self._timed("lsp", time.perf_counter() - sent, f"{method} on {text[:200]!r}")
            sent = time.perf_counter()
            if "error" in reply:
                self.crashes.append(f"{method}: {reply['error']} on {text[:200]!r}")

        try:
            exercise(self.server, uri, text, spots, WAIT, on_reply)
        except TimeoutError as error:
            self.crashes.append(f"no reply: {error} on {text[:200]!r}")
        if not self.server.alive():
            self.crashes.append(f"the server exited on {text[:200]!r}")
            self.server = self._start()
        elif self.count % 500 == 0:
            self.server_peak_mb = max(self.server_peak_mb, _peak_mb(self.server.proc.pid))

    def _timed(self, what: str, seconds: float, about: str) -> None:
        self.slowest[what] = max(self.slowest[what], seconds)
        if seconds > HANG:
            self.hangs.append(f"{what} took {seconds:.1f}s: {about[:200]}")

    def close(self) -> None:
        if self.server is not None:
            self.server_peak_mb = max(self.server_peak_mb, _peak_mb(self.server.proc.pid))
            self.server.close()


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fuzz(count: int, lsp: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sindri-bench-fuzz-") as tmp:
        run = Run(lsp, Path(tmp))
        options = settings(
            max_examples=count,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )

        @options
        @given(text=documents, spots=st.lists(positions, min_size=1, max_size=3))
        def one(text: str, spots: list[tuple[int, int]]) -> None:
            run.document(text, spots)

        start = time.perf_counter()
        try:
            one()
        finally:
            run.close()
        return {
            "documents": run.count,
            "seconds": time.perf_counter() - start,
            "crashes": len(run.crashes),
            "hangs": len(run.hangs),
            "slowest_engine_s": run.slowest["engine"],
            "slowest_reply_s": run.slowest["lsp"],
            "peak_rss_engine_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_rss_server_mb": run.server_peak_mb if lsp else None,
            "replies": dict(run.replies),
            "examples": {"crashes": run.crashes[:5], "hangs": run.hangs[:5]},
        }


def report(f: dict[str, Any]) -> str:
    rows = [
        f"Fuzz: {f['documents']:,} generated and mutated documents in {f['seconds']:.0f} s",
        f"crashes                        {f['crashes']}",
        f"hangs (over {HANG:g} s)              {f['hangs']}",
        f"slowest engine run             {f['slowest_engine_s'] * 1000:.0f} ms",
        f"peak RSS, this process         {f['peak_rss_engine_mb']:.0f} MB (engine, generator, client)",
    ]
    if f["peak_rss_server_mb"] is not None:
        rows += [
            f"slowest reply                  {f['slowest_reply_s'] * 1000:.0f} ms",
            f"peak RSS, language server      {f['peak_rss_server_mb']:.0f} MB",
            f"replies                        {sum(f['replies'].values()):,} ({len(f['replies'])} methods)",
        ]
    rows += [f"  {kind[:-1]}: {example}" for kind in ("crashes", "hangs") for example in f["examples"][kind]]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=20_000, help="documents to run (default 20,000)")
    parser.add_argument("--no-lsp", dest="lsp", action="store_false", help="the engine only, no server")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.documents < 1:
        parser.error("--documents must be at least 1")
    figures = fuzz(args.documents, args.lsp)
    print(json.dumps(figures, indent=2) if args.json else report(figures))


if __name__ == "__main__":
    main()
