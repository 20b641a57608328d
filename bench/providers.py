"""Status of every provider at once vs one after another (stand-ins that each take 200 ms), and the
runner's own overhead per call. Prints figures; asserts nothing. Run: .venv/bin/python bench/providers.py

Providers whose module or stand-ins are not available yet are listed as skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sindri.providers.factory import PROVIDERS
from sindri.providers.lifecycle import run_action
from sindri.providers.runner import Runner

REPO = Path(__file__).resolve().parent.parent
STANDINS = REPO / "tests" / "standins"
K8S_STANDINS = REPO / "tests" / "providers" / "kubernetes"
sys.path[:0] = [str(STANDINS), str(K8S_STANDINS)]
from e2b_api import DEFAULT_KEY, E2bApi, E2bApiServer  # noqa: E402  (stand-ins live under tests/)
from k8s_helpers import k8s_env  # noqa: E402
from northflank_api import DEFAULT_TOKEN as NF_TOKEN  # noqa: E402
from northflank_api import NorthflankApi, NorthflankApiServer  # noqa: E402
from runpod_api import DEFAULT_KEY as RUNPOD_KEY  # noqa: E402
from runpod_api import RunpodApi, RunpodApiServer  # noqa: E402

DELAY = "0.2"
ROUNDS = 5


def project(root: Path, provider: str) -> Path:
    folder = root / provider
    folder.mkdir()
    path = folder / "sindri.yaml"
    path.write_text(
        f'version: "3.0"\nname: bench-{provider}\ndeployment:\n  provider: {provider}\n'
        "  image: ghcr.io/pacphi/sindri:v3.1.4\n"  # kubernetes, runpod and northflank need one (SE395)
        "extensions:\n  profile: minimal\n"
    )
    return path


async def status(path: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    await run_action("status", config_path=path, cwd=path.parent, env=env)
    return time.perf_counter() - start


@contextlib.contextmanager
def slow_api(api: Any, server_class: Any) -> Iterator[str]:
    """A loopback API stand-in answering every request after the same fixed delay as the others."""
    api.fail, api.slow_seconds = "slow", float(DELAY)
    with server_class(api) as server:
        yield server.url


async def bench_status(root: Path, e2b_url: str, runpod_url: str, northflank_url: str) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{STANDINS}{os.pathsep}{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SINDRI_STANDIN_STATE"] = str(root / "state")
    env["SINDRI_STANDIN_DELAY"] = DELAY
    env["PYTHONPATH"] = str(STANDINS)  # the stand-ins share tests/standins/_standin.py
    env = k8s_env(env, root)  # the kubectl stand-in first on PATH, a kubeconfig, a kind cluster
    env.update(E2B_API_KEY=DEFAULT_KEY, E2B_API_URL=e2b_url, E2B_SANDBOX_URL=e2b_url)
    env.update(RUNPOD_API_KEY=RUNPOD_KEY, RUNPOD_API_BASE_URL=runpod_url)
    env.update(NORTHFLANK_API_TOKEN=NF_TOKEN, NORTHFLANK_API_BASE_URL=northflank_url)
    paths: dict[str, Path] = {}
    for name in PROVIDERS:
        path = project(root, name)
        try:
            await status(path, env)
        except Exception as exc:  # a provider still being written
            print(f"  skipped {name}: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
            continue
        paths[name] = path
    if not paths:
        print("  no provider available yet")
        return
    alone: dict[str, list[float]] = {name: [] for name in paths}
    together: list[float] = []
    for _ in range(ROUNDS):
        for name, path in paths.items():
            alone[name].append(await status(path, env))
        start = time.perf_counter()
        await asyncio.gather(*(status(path, env) for path in paths.values()))
        together.append(time.perf_counter() - start)
    medians = {name: statistics.median(times) for name, times in alone.items()}
    for name, median in medians.items():
        print(f"  {name:<11} alone        {median * 1000:8.1f} ms")
    slowest = max(medians.values())
    sequential = sum(medians.values())
    both = statistics.median(together)
    print(f"  one after another      {sequential * 1000:8.1f} ms ({len(paths)} providers)")
    print(f"  all at once (gather)   {both * 1000:8.1f} ms")
    print(f"  together / slowest alone = {both / slowest:.2f}x  (target <= 1.3x)")


async def bench_runner(calls: int = 200) -> None:
    runner = Runner()
    true = runner.which("true") or "/bin/true"

    async def bare() -> None:
        proc = await asyncio.create_subprocess_exec(
            true, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        await proc.communicate()

    async def timed(make: object) -> float:
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            await make()  # type: ignore[operator]
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    raw = await timed(bare)
    ours = await timed(lambda: runner.run(["true"]))
    print(f"  bare asyncio subprocess  {raw * 1000:6.2f} ms per call (median of {calls})")
    print(f"  Runner.run(['true'])     {ours * 1000:6.2f} ms per call")
    print(f"  runner overhead          {(ours - raw) * 1000:6.2f} ms per call")


async def main() -> None:
    print(f"status of every provider, stand-ins delayed {DELAY}s per call, median of {ROUNDS}:")
    with (
        tempfile.TemporaryDirectory(prefix="sindri-bench-") as tmp,
        slow_api(E2bApi(), E2bApiServer) as url,
        slow_api(RunpodApi(), RunpodApiServer) as rp,
        slow_api(NorthflankApi(), NorthflankApiServer) as nf,
    ):
        await bench_status(Path(tmp), url, rp, nf)
    print("runner overhead:")
    await bench_runner()


if __name__ == "__main__":
    asyncio.run(main())
