"""Language server soak: many open/change/close cycles, and the server's RSS before and after.

A closed document must leave nothing behind (issue 10, item 6). This drives `python -m sindri.server`
over stdio through bench/lsp.py's client: each cycle opens a document under a new URI, changes it
(valid -> invalid), waits for the diagnostics of that change, and closes it. It prints the resident
set size (VmRSS) after a warm-up and after all cycles; the check is "within 10% of where it started".

    .venv/bin/python bench/soak.py [--cycles 20000] [--warmup 500] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from lsp import TIMEOUT, Server, specs

DOC = (
    'version: "3.0"\nname: soak-{n}\ndeployment:\n  provider: docker\n  image: ghcr.io/pacphi/sindri:v3\n'
    "extensions:\n  profile: minimal\n"
)
ALLOWED_GROWTH = 0.10


def rss_mb(server: Server) -> float:
    assert server.proc is not None
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


async def cycle(server: Server, root: Path, n: int) -> None:
    """Open a fresh document, break it, wait for that version's diagnostics, close it."""
    uri = (root / str(n) / "sindri.yaml").as_uri()
    text = DOC.format(n=n)
    item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
    await server.notify("textDocument/didOpen", {"textDocument": item})
    waiter = server.expect_diagnostics(uri, 2)
    broken = text.replace("provider: docker", "provider: dokcer")
    await server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": broken}]},
    )
    _, diagnostics = await asyncio.wait_for(waiter, TIMEOUT)
    if not diagnostics:
        raise RuntimeError(f"no diagnostics for the broken provider of cycle {n}")
    await server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


async def run(args: argparse.Namespace) -> dict[str, Any]:
    (spec,) = specs(False)
    server = Server(spec.label, spec.argv, {"sindri": {}})
    figures: dict[str, Any] = {"cycles": args.cycles, "warmup": args.warmup}
    with tempfile.TemporaryDirectory(prefix="sindri-bench-soak-") as tmp:
        root = Path(tmp)
        try:
            await server.start(root)
            figures["rss_initialized_mb"] = rss_mb(server)
            for n in range(args.warmup):
                await cycle(server, root, n)
            await asyncio.sleep(1)
            figures["rss_start_mb"] = rss_mb(server)
            start = time.perf_counter()
            for n in range(args.warmup, args.warmup + args.cycles):
                await cycle(server, root, n)
                if args.progress and (n - args.warmup + 1) % args.progress == 0:
                    print(f"  {n - args.warmup + 1} cycles: {rss_mb(server):.1f} MB", flush=True)
            figures["seconds"] = time.perf_counter() - start
            await asyncio.sleep(1)
            # A request after the cycles proves the server still answers.
            await server.request("textDocument/hover", _hover_params(root))
            figures["rss_end_mb"] = rss_mb(server)
            figures["rss_peak_mb"] = server.peak_rss_mb()
        finally:
            await server.close()
    figures["growth"] = figures["rss_end_mb"] / figures["rss_start_mb"] - 1
    figures["within_10_percent"] = figures["growth"] <= ALLOWED_GROWTH
    return figures


def _hover_params(root: Path) -> dict[str, Any]:
    return {
        "textDocument": {"uri": (root / "closed" / "sindri.yaml").as_uri()},
        "position": {"line": 0, "character": 0},
    }


def report(figures: dict[str, Any]) -> str:
    per_cycle = (figures["rss_end_mb"] - figures["rss_start_mb"]) * 1024 * 1024 / figures["cycles"]
    verdict = "ok" if figures["within_10_percent"] else "MISS"
    return "\n".join(
        [
            f"Sindri language server soak: {figures['cycles']:,} open/change/close cycles "
            f"(after {figures['warmup']:,} warm-up cycles), {figures['seconds']:.0f} s",
            f"RSS after initialize      {figures['rss_initialized_mb']:8.1f} MB",
            f"RSS after the warm-up     {figures['rss_start_mb']:8.1f} MB",
            f"RSS after the cycles      {figures['rss_end_mb']:8.1f} MB  "
            f"({figures['growth'] * 100:+.1f}%, allowed +{ALLOWED_GROWTH * 100:.0f}%: {verdict})",
            f"peak RSS                  {figures['rss_peak_mb']:8.1f} MB",
            f"growth per cycle          {per_cycle:8.0f} bytes",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=20_000, help="measured cycles (default 20,000)")
    parser.add_argument("--warmup", type=int, default=500, help="cycles before the first RSS (default 500)")
    parser.add_argument("--progress", type=int, default=0, help="print RSS every N cycles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.cycles < 1 or args.warmup < 0:
        parser.error("--cycles must be at least 1, --warmup at least 0")
    figures = asyncio.run(run(args))
    print(json.dumps(figures, indent=2) if args.json else report(figures))


if __name__ == "__main__":
    main()
