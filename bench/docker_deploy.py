"""Wall time of `sindri deploy` against `docker compose up -d` on the same generated file.

Both start from nothing (no container, volume or network of the project) and end with the container
running; the runs alternate so that drift in the engine affects both alike. Prints the medians and
their ratio (target: sindri <= 1.15x compose). Usage: .venv/bin/python bench/docker_deploy.py [ROUNDS]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SINDRI = REPO / ".venv" / "bin" / "sindri"
IMAGE = "sindri-demo:local"


def run(argv: list[str]) -> float:
    """Seconds one command took; fails loudly if it failed."""
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return elapsed


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
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
    try:
        run(sindri_deploy)  # warm-up; also writes the file both sides use
        shutil.copy(generated, compose_file)
        run(down)
        times: dict[str, list[float]] = {"sindri deploy": [], "docker compose up -d": []}
        for i in range(rounds):
            order = [("sindri deploy", sindri_deploy), ("docker compose up -d", compose_up)]
            for label, argv in order if i % 2 == 0 else order[::-1]:
                times[label].append(run(argv))
                run(down)
        sindri_median = statistics.median(times["sindri deploy"])
        compose_median = statistics.median(times["docker compose up -d"])
        for label, values in times.items():
            shown = " ".join(f"{v:.3f}" for v in values)
            print(f"{label:22s} median {statistics.median(values):.3f}s  runs: {shown}")
        print(f"ratio sindri/compose: {sindri_median / compose_median:.2f} (target <= 1.15), {rounds} rounds")
    finally:
        subprocess.run(down, capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
