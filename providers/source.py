"""Sindri's source: the cached checkout every provider builds Sindri's image from when none is configured.

Why one module: Docker, Fly, E2B and DevPod build the same Dockerfile of the same checkout (upstream
§3.0), so the repository, the ref, the Dockerfile, the build args and the checkout cache are decided
here once. The repository is the user's setting (SINDRI_SOURCE_REPO, upstream's by default), never
sindri.yaml's: a cloned config chooses the ref, not where the code comes from.

git runs with no system config, no hooks, no prompt and no submodules: the checkout is fetched
(`git fetch --depth 1 <repo> <ref>`) into `$XDG_CACHE_HOME/sindri/source/<repo digest>-<ref>`, so a
branch that moved is followed on the next deploy, and a failed fetch falls back to the cached commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sindri.schemas.model import SindriConfig

from .errors import ProviderError
from .images import configured_image
from .runner import CommandResult, Runner
from .types import ActionType, PlannedAction, PlannedResource

DEFAULT_REPO = "https://github.com/pacphi/sindri.git"
REPO_ENV = "SINDRI_SOURCE_REPO"
DEFAULT_REF = "v3"
IMAGE_REPOSITORY = "sindri-src"
COMMIT_LABEL = "dev.sindri.source.commit"
FETCH_TIMEOUT = 600.0
GIT_TIMEOUT = 60.0
BUILD_TIMEOUT = 1800.0
LOCK_POLL = 0.5
UNRESOLVED = "resolved at deploy"
GIT_INSTALL = "install git (e.g. apt-get install git), or set deployment.image to skip the build"
SKIP_BUILD = "or set deployment.image in sindri.yaml to run an existing image instead of building one"

GIT_OPTIONS = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "protocol.ext.allow=never",
    "-c", "submodule.recurse=false",
    "-c", "advice.detachedHead=false",
)  # fmt: skip
"""No configuration of the fetched repository can run a program."""
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1"}

_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]*")


def wants_build(config: SindriConfig) -> bool:
    """Whether the image is built from source: asked for (`buildFromSource.enabled`) or none configured."""
    bfs = config.deployment.build_from_source
    return bool(bfs is not None and bfs.enabled) or configured_image(config) is None


def cache_root(env: Mapping[str, str]) -> Path:
    """`$XDG_CACHE_HOME` when absolute (as the XDG spec says), else `~/.cache`."""
    base = env.get("XDG_CACHE_HOME", "")
    return Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"


def shown_url(repo: str) -> str:
    """The repository as messages show it: without a user or password in the URL."""
    parts = urlsplit(repo)
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return repo


@dataclass(frozen=True)
class Source:
    """Where the image's source comes from and how it is built."""

    repo: str
    ref: str
    dev: bool
    """`buildFromSource.enabled`: upstream builds `v3/Dockerfile.dev` then, else `v3/Dockerfile`."""
    cache: Path

    @classmethod
    def of(cls, config: SindriConfig, env: Mapping[str, str]) -> Source:
        bfs = config.deployment.build_from_source
        ref = (bfs.git_ref if bfs is not None and bfs.git_ref else "") or DEFAULT_REF
        if not _REF.fullmatch(ref) or ".." in ref or "//" in ref or ref.endswith(("/", ".lock")):
            raise ProviderError(
                f"deployment.buildFromSource.gitRef '{ref}' is not a branch or tag name",
                hint="set gitRef to a branch or tag of Sindri's repository, e.g. main or v3.1.4",
            )
        repo = env.get(REPO_ENV, "").strip() or DEFAULT_REPO
        if repo.startswith("-") or repo.lower().startswith("ext::"):
            raise ProviderError(
                f"{REPO_ENV}='{repo}' is not a repository URL or path", hint=f"unset {REPO_ENV}"
            )
        if "://" not in repo and not re.match(r"[\w.-]+@[\w.-]+:", repo):  # a local path
            repo = str(Path(repo).expanduser().resolve())
        digest = hashlib.sha256(repo.encode()).hexdigest()[:12]
        cache = cache_root(env) / "sindri" / "source" / f"{digest}-{ref.replace('/', '-')}"
        return cls(repo=repo, ref=ref, dev=bool(bfs is not None and bfs.enabled), cache=cache)

    @property
    def dockerfile(self) -> str:
        """The Dockerfile, relative to the repository root (the build context)."""
        return "v3/Dockerfile.dev" if self.dev else "v3/Dockerfile"

    @property
    def shown(self) -> str:
        return shown_url(self.repo)

    @property
    def build_args(self) -> dict[str, str]:
        return {"BUILD_FROM_SOURCE": "true", "SINDRI_VERSION": self.ref, "SINDRI_SOURCE_REF": self.ref}

    def image_tag(self, commit: str | None) -> str:
        """The local image of one commit (the build's cache key): `sindri-src:<commit>[-dev]`."""
        return f"{IMAGE_REPOSITORY}:{commit[:12] if commit else 'unresolved'}{'-dev' if self.dev else ''}"


@dataclass(frozen=True)
class Checkout:
    """A fetched commit of the source, ready to build."""

    source: Source
    commit: str

    @property
    def path(self) -> Path:
        return self.source.cache

    @property
    def dockerfile(self) -> Path:
        return self.path / self.source.dockerfile


async def _git(runner: Runner, *args: str, timeout: float = GIT_TIMEOUT, check: bool = True) -> CommandResult:
    return await runner.run(
        ["git", *GIT_OPTIONS, *args],
        env=GIT_ENV,
        timeout=timeout,
        check=check,
        hint=f"check the source checkout {args[1] if args[:1] == ('-C',) else ''}; {SKIP_BUILD}",
        install_hint=GIT_INSTALL,
    )


async def cached_commit(source: Source, runner: Runner) -> str | None:
    """The commit of the cached checkout, without touching the network; None when there is none."""
    if not (source.cache / ".git").is_dir() or runner.which("git") is None:
        return None
    result = await _git(runner, "-C", str(source.cache), "rev-parse", "--verify", "-q", "HEAD", check=False)
    return result.stdout.strip() or None if result.ok else None


@contextlib.asynccontextmanager
async def _locked(source: Source, timeout: float) -> AsyncIterator[None]:
    """One fetch of a checkout at a time on this machine (two environments may share it)."""
    source.cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(
        source.cache.with_name(source.cache.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600
    )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if loop.time() >= deadline:
                    raise ProviderError(
                        f"another sindri is fetching {source.shown} ({source.ref}) into {source.cache}",
                        hint="wait for it to finish, then retry",
                    ) from None
                await asyncio.sleep(LOCK_POLL)
        yield
    finally:
        os.close(fd)


async def fetch(source: Source, runner: Runner, timeout: float = FETCH_TIMEOUT) -> Checkout:
    """Bring the cached checkout to the ref's current commit (a fresh one is created first)."""
    async with _locked(source, timeout):
        if not (source.cache / ".git").is_dir():
            source.cache.mkdir(parents=True, exist_ok=True, mode=0o700)
            await _git(runner, "init", "-q", str(source.cache))
        runner.progress(f"Fetching Sindri's source: {source.shown} at {source.ref}")
        fetched = await _git(
            runner, "-C", str(source.cache), "fetch", "-q", "--depth", "1", "--no-tags", "--",
            source.repo, source.ref, timeout=timeout, check=False,
        )  # fmt: skip
        if fetched.ok:
            await _git(runner, "-C", str(source.cache), "checkout", "-q", "--force", "--detach", "FETCH_HEAD")
            await _git(runner, "-C", str(source.cache), "clean", "-q", "-ffdx")
        commit = await cached_commit(source, runner)
        if commit is None:
            raise ProviderError(
                f"could not fetch '{source.ref}' from {source.shown}: {runner.tail(fetched)}",
                hint=f"check the network, the repository ({REPO_ENV}) and deployment.buildFromSource.gitRef; "
                + SKIP_BUILD,
            )
        if not fetched.ok:
            runner.progress(
                f"warning: could not fetch {source.ref} from {source.shown} ({runner.tail(fetched)}); "
                f"building the cached commit {commit[:12]}"
            )
    checkout = Checkout(source, commit)
    dockerfile = checkout.dockerfile
    if dockerfile.is_symlink() or not dockerfile.is_file():
        raise ProviderError(
            f"{source.shown} at {source.ref} (commit {commit[:12]}) has no {source.dockerfile}",
            hint="point SINDRI_SOURCE_REPO and buildFromSource.gitRef at Sindri's repository; " + SKIP_BUILD,
        )
    return checkout


def build_argv(checkout: Checkout, tag: str, *, no_cache: bool) -> list[str]:
    """`docker build` of the checkout: the repository root is the context, labelled with its commit."""
    argv = ["docker", "build", "-t", tag, "-f", str(checkout.dockerfile)]
    for key, value in checkout.source.build_args.items():
        argv += ["--build-arg", f"{key}={value}"]
    argv += ["--label", f"{COMMIT_LABEL}={checkout.commit}"]
    if no_cache:
        argv.append("--no-cache")
    return [*argv, str(checkout.path)]


async def docker_build(
    runner: Runner, checkout: Checkout, tag: str, *, no_cache: bool, install_hint: str
) -> None:
    runner.progress(
        f"Building image {tag} from {checkout.source.dockerfile} at commit {checkout.commit[:12]}"
    )
    await runner.run(
        build_argv(checkout, tag, no_cache=no_cache),
        timeout=BUILD_TIMEOUT,
        stream=True,
        hint="fix the build error above; " + SKIP_BUILD,
        install_hint=install_hint,
    )


def plan_items(
    source: Source, commit: str | None, *, image: str, where: str, cost: str
) -> tuple[PlannedAction, PlannedResource]:
    """What `plan` says about a build: from which repository, ref and commit, where, and what it costs."""
    at = (
        f"commit {commit[:12]} (cached; deploy fetches {source.ref} again)"
        if commit
        else f"commit {UNRESOLVED}"
    )
    action = PlannedAction(
        action=ActionType.CREATE,
        resource=f"image:{image}",
        description=f"Build Sindri's image from source ({source.shown} at {source.ref}, {at}, "
        f"{source.dockerfile}) {where}; {cost}",
    )
    resource = PlannedResource(
        resource_type="build",
        name=image,
        config={
            "repository": source.shown,
            "ref": source.ref,
            "commit": commit or UNRESOLVED,
            "dockerfile": source.dockerfile,
            "where": where,
            "cost": cost,
        },
    )
    return action, resource
