"""Wall time of a deploy against `docker compose up -d` on the same generated file.

Three ways, each from nothing (no container, volume or network of the project) to the container
running: `sindri deploy` (a process per deploy), the editor's Deploy (`sindri.deploy` sent to a
running `sindri-lsp`, as the VS Code lens does) and a bare `docker compose up -d`. The runs rotate so
that drift in the engine affects all alike. Prints the medians and the ratios. Targets: the language
server <= 1.15x compose (it has no start-up cost per command); the CLI at most 0.3 s over compose.
Each `sindri deploy` comes seconds after the previous command, so it finds the engine's facts that
command kept (`providers/facts_cache.py`); the first command after 30 s asks `docker info` (~50 ms).
Usage: .venv/bin/python bench/docker_deploy.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lsp import Server  # bench/lsp.py: a minimal LSP client over stdio

REPO = Path(__file__).resolve().parent.parent
SINDRI = REPO / ".venv" / "bin" / "sindri"
SINDRI_LSP = REPO / ".venv" / "bin" / "sindri-lsp"
IMAGE = "sindri-demo:local"
SETTLE = 1.5
"""Seconds after an editor deploy for the server's own status read to finish (not timed)."""


def run(argv: list[str]) -> float:
    """Seconds one command took; fails loudly if it failed."""
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return elapsed


async def lsp_deploy(server: Server, config: Path) -> float:
    """Seconds from sending `sindri.deploy` to its successful reply (the container is running)."""
    start = time.perf_counter()
    result = await server.request(
        "workspace/executeCommand", {"command": "sindri.deploy", "arguments": [config.as_uri()]}, timeout=300
    )
    elapsed = time.perf_counter() - start
    if not (isinstance(result, dict) and result.get("success")):
        raise SystemExit(f"sindri.deploy over LSP failed: {result}")
    await asyncio.sleep(SETTLE)
    return elapsed


async def timed(loop_label: str, server: Server, config: Path, argv: list[str]) -> float:
    if loop_label == "editor Deploy (LSP)":
        return await lsp_deploy(server, config)
    return await asyncio.to_thread(run, argv)


def main() -> None:
    asyncio.run(amain())


async def amain() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    subprocess.run(["bash", str(REPO / "images" / "demo" / "build.sh"), IMAGE], check=True)
    name = f"sindri-bench-{uuid.uuid4().hex[:8]}"
    project = f"sindri-{name}"
    work = Path(tempfile.mkdtemp(prefix="sindri-bench-"))
    config = work / "sindri.yaml"
    config.write_text(
        f'version: "3.0"\nname: {name}\ndeployment:\n  provider: docker\n  image: {IMAGE}\n'
        "  resources:\n    memory: 512MB\n    cpus: 1\nextensions:\n  profile: minimal\n"
    )
    generated = work / ".sindri" / "docker" / "docker-compose.yml"
    compose_file = work / "compose-copy.yml"
    down = ["docker", "compose", "-f", str(compose_file), "-p", project, "down", "-v", "--remove-orphans"]
    sindri_deploy = [str(SINDRI), "deploy", "-c", str(config)]
    compose_up = ["docker", "compose", "-f", str(compose_file), "-p", project, "up", "-d"]
    server = Server("sindri-lsp", [str(SINDRI_LSP)], {"sindri": {"prerequisiteChecks": False}})
    try:
        run(sindri_deploy)  # warm-up; also writes the file both sides use
        shutil.copy(generated, compose_file)
        run(down)
        await server.start(work)
        document = {"uri": config.as_uri(), "languageId": "yaml", "version": 1, "text": config.read_text()}
        await server.notify("textDocument/didOpen", {"textDocument": document})
        await lsp_deploy(server, config)  # warm-up of the server's imports
        run(down)
        order = [
            ("sindri deploy (CLI)", sindri_deploy),
            ("editor Deploy (LSP)", []),
            ("docker compose up -d", compose_up),
        ]
        times: dict[str, list[float]] = {label: [] for label, _ in order}
        for i in range(rounds):
            for label, argv in order[i % 3 :] + order[: i % 3]:
                times[label].append(await timed(label, server, config, argv))
                run(down)
        compose = statistics.median(times["docker compose up -d"])
        for label, values in times.items():
            shown = " ".join(f"{v:.3f}" for v in values)
            print(f"{label:22s} median {statistics.median(values):.3f}s  runs: {shown}")
        lsp = statistics.median(times["editor Deploy (LSP)"])
        cli = statistics.median(times["sindri deploy (CLI)"])
        print(f"ratio editor Deploy / compose: {lsp / compose:.2f} (target <= 1.15), {rounds} rounds")
        print(f"sindri deploy over compose: +{cli - compose:.3f} s (target <= 0.3 s)")
    finally:
        await server.close()
        subprocess.run(down, capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
