"""The Docker provider end to end: the `sindri` CLI as a subprocess against the real engine.

Every environment, container, volume and network here is named `sindri-t-docker-...` and removed at
the end. Commands run from a directory other than the config's, with `-c`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import REPO, STANDINS, need, run_sindri, source_repo

IMAGE = "sindri-demo:local"
SECRET_NAME = "SINDRI_T_DOCKER_TOKEN"
SECRET_VALUE = "tok-" + uuid.uuid4().hex + "-$HOME'\"#"

pytestmark = pytest.mark.docker


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120, check=check)


def inspect(ref: str) -> dict[str, Any]:
    data: list[dict[str, Any]] = json.loads(docker("inspect", ref).stdout)
    return data[0]


def by_label(kind: str, project: str) -> list[str]:
    """Names of this project's containers, volumes or networks, found the way Compose labels them."""
    label = f"label=com.docker.compose.project={project}"
    argv = {
        "container": ["ps", "-a", "--filter", label, "--format", "{{.Names}}"],
        "volume": ["volume", "ls", "-q", "--filter", label],
        "network": ["network", "ls", "--filter", label, "--format", "{{.Name}}"],
    }[kind]
    return docker(*argv).stdout.split()


@pytest.fixture(scope="module")
def demo_image(docker_engine: None) -> str:
    need(Path("/bin/busybox").exists(), "busybox-static is not installed (apt-get install busybox-static)")
    subprocess.run(["bash", str(REPO / "images" / "demo" / "build.sh"), IMAGE], check=True, timeout=300)
    return IMAGE


class Env:
    """One environment: its config file, the CLI's environment, and every output the CLI printed."""

    def __init__(self, root: Path, name: str, extra: str = "") -> None:
        self.name = name
        self.project = f"sindri-{name}"
        self.dir = root / "project"
        self.dir.mkdir()
        self.config = self.dir / "sindri.yaml"
        self.config.write_text(
            f"""version: "3.0"
name: {name}
deployment:
  provider: docker
  image: {IMAGE}
  resources:
    memory: 256MB
    cpus: 1
extensions:
  profile: minimal
secrets:
  - name: {SECRET_NAME}
    source: env
{extra}"""
        )
        self.elsewhere = root / "elsewhere"
        self.elsewhere.mkdir()
        self.env = {**os.environ, SECRET_NAME: SECRET_VALUE}
        self.outputs: list[str] = []

    def run(self, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
        """`sindri COMMAND -c CONFIG ARGS`, run from another directory."""
        command, *rest = args
        result = run_sindri(
            command, "-c", str(self.config), *rest, env=self.env, cwd=self.elsewhere, input=input
        )
        self.outputs.append(result.stdout + result.stderr)
        return result

    def sindri(self, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
        """Like run, and whatever happens the CLI answers with a message, never a traceback."""
        result = self.run(*args, input=input)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def ok(self, *args: str, input: str = "") -> str:
        result = self.sindri(*args, input=input)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def container(self) -> dict[str, Any]:
        return inspect(self.name)

    def cleanup(self) -> None:
        """Destroy through the CLI, then remove by label whatever a failed test left behind."""
        self.run("destroy", "--yes")
        for kind, remove in (
            ("container", ["rm", "-f"]),
            ("volume", ["volume", "rm"]),
            ("network", ["network", "rm"]),
        ):
            names = by_label(kind, self.project)
            if names:
                docker(*remove, *names, check=False)


def new_env(tmp_path: Path, extra: str = "") -> Env:
    return Env(tmp_path, f"sindri-t-docker-{uuid.uuid4().hex[:8]}", extra)


@pytest.fixture
def env(tmp_path: Path, demo_image: str) -> Iterator[Env]:
    environment = new_env(tmp_path)
    yield environment
    environment.cleanup()


@pytest.fixture
def unrelated(demo_image: str) -> Iterator[dict[str, str]]:
    """A container, a volume and a network that no Sindri environment owns (one named like ours)."""
    tag = uuid.uuid4().hex[:8]
    made = {
        "network": f"sindri_t-docker-keep-{tag}_default",
        "volume": f"sindri-t-docker-keep-{tag}_home",
        "container": f"sindri-t-docker-keep-{tag}",
    }
    docker("network", "create", made["network"])
    docker("volume", "create", made["volume"])
    docker(
        "run",
        "-d",
        "--name",
        made["container"],
        "--network",
        made["network"],
        "-v",
        f"{made['volume']}:/data",
        IMAGE,
    )
    yield made
    docker("rm", "-f", made["container"], check=False)
    docker("volume", "rm", made["volume"], check=False)
    docker("network", "rm", made["network"], check=False)


def test_full_lifecycle_through_the_cli(env: Env, unrelated: dict[str, str]) -> None:
    planned = json.loads(env.ok("plan", "--json"))["generatedFiles"]
    # deploy: running, with the configured limits
    env.ok("deploy")
    first = env.container()
    assert first["State"]["Status"] == "running"
    assert first["HostConfig"]["Memory"] == 256 * 1024**2
    assert first["HostConfig"]["NanoCpus"] == 1_000_000_000
    assert (REPO / "docker-compose.yml").exists() is False
    compose_file = env.dir / ".sindri" / "docker" / "docker-compose.yml"
    assert [(f["path"], f["language"]) for f in planned] == [(str(compose_file), "yaml")]
    assert compose_file.read_text() == planned[0]["content"]  # plan showed what deploy wrote
    assert not list(env.elsewhere.iterdir()), "nothing may be written to the current directory"

    # something the user keeps in their home
    env.ok("connect", "--", "sh", "-c", "echo kept > $HOME/marker")

    # a second deploy is refused clearly; --force recreates and keeps the home volume
    again = env.sindri("deploy")
    assert again.returncode != 0
    assert "already deployed" in again.stderr and "--force" in again.stderr
    env.ok("deploy", "--force")
    second = env.container()
    assert second["Id"] != first["Id"]
    assert env.ok("connect", "--", "cat", "/alt/home/developer/marker").strip() == "kept"

    # status: running, real figures from docker stats, timestamps
    status = json.loads(env.ok("status", "--json"))
    assert status["state"] == "running"
    assert status["resources"]["cpu_percent"] is not None
    assert status["resources"]["memory_bytes"] > 0
    assert status["resources"]["memory_limit"] == 256 * 1024**2
    assert status["timestamps"]["created_at"] and status["timestamps"]["started_at"]
    assert status["instance_id"] == second["Id"][:12]
    text = env.ok("status")
    assert "docker_state: running" in text and "State:" in text

    # connect: developer, exit codes, the sh fallback of an image without bash
    assert env.ok("connect", "--", "id", "-un").strip() == "developer"
    assert env.sindri("connect", "--", "sh", "-c", "exit 42").returncode == 42
    shell = env.ok("connect", input="id -un; pwd; echo $0\n")
    assert shell.split() == ["developer", "/alt/home/developer", "sh"]

    # the env secret reaches the container, and its value is in no file and no output
    digest = env.ok("connect", "--", "sh", "-c", f'printf %s "${SECRET_NAME}" | sha256sum').split()[0]
    assert digest == hashlib.sha256(SECRET_VALUE.encode()).hexdigest()
    for path in env.dir.rglob("*"):
        if path.is_file():
            assert SECRET_VALUE.encode() not in path.read_bytes(), path

    # stop and start
    env.ok("stop")
    assert json.loads(env.ok("status", "--json"))["state"] == "stopped"
    env.ok("start")
    assert json.loads(env.ok("status", "--json"))["state"] == "running"

    # destroy: exactly what this environment created, nothing else
    assert by_label("volume", env.project) == [f"{env.project}_home"]
    env.ok("destroy", "--yes")
    for kind in ("container", "volume", "network"):
        assert by_label(kind, env.project) == [], kind
    assert docker("inspect", env.name, check=False).returncode != 0
    assert inspect(unrelated["container"])["State"]["Status"] == "running"
    docker("volume", "inspect", unrelated["volume"])
    docker("network", "inspect", unrelated["network"])
    assert json.loads(env.ok("status", "--json"))["state"] == "not_deployed"
    assert "not deployed" in env.ok("status")

    assert not any(SECRET_VALUE in output for output in env.outputs)


def test_dind_socket_mode_mounts_the_socket(tmp_path: Path, demo_image: str) -> None:
    env = new_env(tmp_path, "providers:\n  docker:\n    dind:\n      enabled: true\n      mode: socket\n")
    try:
        env.ok("deploy")
        data = env.container()
        assert any(m["Destination"] == "/var/run/docker.sock" for m in data["Mounts"])
        assert data["HostConfig"]["Privileged"] is False
    finally:
        env.cleanup()


def test_dind_privileged_mode_sets_privileged(tmp_path: Path, demo_image: str) -> None:
    env = new_env(tmp_path, "providers:\n  docker:\n    dind:\n      enabled: true\n      mode: privileged\n")
    can_run = docker("run", "--rm", "--privileged", IMAGE, "true", check=False).returncode == 0
    try:
        result = env.sindri("deploy")
        if can_run:
            assert result.returncode == 0, result.stderr
            assert env.container()["State"]["Status"] == "running"
        else:  # a confined engine (as in this sandbox) creates the container but cannot start it
            assert result.returncode != 0
            assert "cannot run privileged containers" in result.stderr, result.stderr
        data = env.container()
        assert data["HostConfig"]["Privileged"] is True
        assert any(m["Destination"] == "/var/lib/docker" for m in data["Mounts"])
    finally:
        env.cleanup()


def test_dind_sysbox_requested_but_absent_falls_back_with_a_warning(tmp_path: Path, demo_image: str) -> None:
    runtimes = docker("info", "--format", "{{json .Runtimes}}").stdout
    need("sysbox-runc" not in runtimes, "this engine has sysbox, so the fallback cannot happen")
    env = new_env(tmp_path, "providers:\n  docker:\n    dind:\n      enabled: true\n      mode: sysbox\n")
    try:
        result = env.sindri("deploy")
        assert result.returncode == 0, result.stderr
        warnings = [line for line in result.stderr.splitlines() if "sysbox was requested" in line]
        assert len(warnings) == 1 and warnings[0].startswith("warning: "), result.stderr  # once
        data = env.container()
        assert data["HostConfig"]["Runtime"] != "sysbox-runc"
        assert data["HostConfig"]["Privileged"] is False
    finally:
        env.cleanup()


def test_daemon_down_gives_a_clear_fix(env: Env) -> None:
    env.env["DOCKER_HOST"] = "unix:///nonexistent-sindri-t-docker.sock"
    for command in ("status", "deploy", "destroy"):
        result = env.sindri(command, "--yes") if command == "destroy" else env.sindri(command)
        assert result.returncode != 0, command
        assert "Docker daemon" in result.stderr and "start" in result.stderr, result.stderr


def test_missing_image_fails_clearly(tmp_path: Path, demo_image: str) -> None:
    env = new_env(tmp_path)
    env.config.write_text(env.config.read_text().replace(IMAGE, "sindri-t-docker-nosuch:latest"))
    try:
        result = env.sindri("deploy")
        assert result.returncode != 0
        assert "sindri-t-docker-nosuch:latest" in result.stderr and "build" in result.stderr
        assert json.loads(env.ok("status", "--json"))["state"] == "not_deployed"
    finally:
        env.cleanup()


def test_plan_and_doctor(env: Env) -> None:
    text = env.sindri("plan")
    assert text.returncode == 0 and text.stdout.startswith(f"Plan for {env.name} on docker:")
    compose_file = str(env.dir / ".sindri" / "docker" / "docker-compose.yml")
    assert text.stdout.count(compose_file) == 1, text.stdout
    dry_run = env.sindri("deploy", "--dry-run")
    assert (dry_run.returncode, dry_run.stdout) == (0, text.stdout)  # the same plan, nothing started
    plan = json.loads(env.ok("plan", "--json"))
    resources = {r["resource_type"]: r for r in plan["resources"]}
    assert resources["container"]["config"]["memory"] == "256m"
    assert plan["files"] == [str(env.dir / ".sindri" / "docker" / "docker-compose.yml")]
    assert not (env.dir / ".sindri" / "docker" / "docker-compose.yml").exists()
    doctor = env.sindri("doctor", "--json")
    assert doctor.returncode == 0, doctor.stderr
    assert "docker" in doctor.stdout


def test_a_foreign_container_holding_the_name_is_never_taken_for_ours(env: Env) -> None:
    docker("run", "-d", "--name", env.name, IMAGE)
    try:
        plan = json.loads(env.ok("plan", "--json"))
        assert any("belongs to project none" in w for w in plan["warnings"]), plan["warnings"]
        deploy = env.sindri("deploy")
        assert deploy.returncode == 1
        assert "does not belong to this environment" in deploy.stderr and "docker rm -f" in deploy.stderr
        assert json.loads(env.ok("status", "--json"))["state"] == "not_deployed"
        env.ok("destroy", "--yes")
        assert inspect(env.name)["State"]["Status"] == "running"
    finally:
        docker("rm", "-f", env.name, check=False)


def test_an_image_whose_command_exits_fails_the_deploy(tmp_path: Path, demo_image: str) -> None:
    image = f"sindri-t-docker-exits:{uuid.uuid4().hex[:8]}"
    context = tmp_path / "image"
    context.mkdir()
    (context / "Dockerfile").write_text(
        f'FROM {IMAGE}\nENTRYPOINT []\nCMD ["sh", "-c", "echo bye; exit 3"]\n'
    )
    docker("build", "-q", "-t", image, str(context))
    env = new_env(tmp_path)
    env.config.write_text(env.config.read_text().replace(IMAGE, image))
    try:
        deploy = env.sindri("deploy")
        assert deploy.returncode == 1, deploy.stdout + deploy.stderr
        assert "instead of running" in deploy.stderr and "code 3" in deploy.stderr
        assert "bye" in deploy.stderr  # its last output
        for _ in range(40):  # `restart: unless-stopped` restarts it, each time after a longer pause
            status = json.loads(env.ok("status", "--json"))
            if status["state"] == "error":
                break
            time.sleep(0.5)
        assert status["state"] == "error", status
        assert any("exit" in m and "code 3" in m for m in status["messages"]), status["messages"]
    finally:
        env.cleanup()
        docker("image", "rm", "-f", image, check=False)


def test_a_secret_named_like_a_docker_setting_reaches_the_container_not_compose(
    tmp_path: Path, demo_image: str
) -> None:
    env = new_env(
        tmp_path, "  - name: DOCKER_HOST\n    source: env\n  - name: COMPOSE_FILE\n    source: env\n"
    )
    (env.dir / ".env.local").write_text(
        "DOCKER_HOST=unix:///nonexistent-sindri-t.sock\nCOMPOSE_FILE=/nonexistent.yml\n"
    )
    try:
        env.ok("deploy")  # Compose itself still talks to the local engine and reads our file
        assert "DOCKER_HOST=unix:///nonexistent-sindri-t.sock" in env.container()["Config"]["Env"]
        assert env.ok("connect", "--", "sh", "-c", 'echo "$COMPOSE_FILE"').strip() == "/nonexistent.yml"
    finally:
        env.cleanup()


def test_no_image_builds_sindri_from_the_source_repository(tmp_path: Path, demo_image: str) -> None:
    """No image: plan says a build will happen; deploy fetches the source (real git, file:// URL), runs a
    real `docker build` of its v3/Dockerfile and runs the result; a second deploy reuses the commit's image,
    --force rebuilds it without the cache (#12)."""
    marker = uuid.uuid4().hex  # a unique commit, so a unique image tag
    repo = source_repo(
        tmp_path / "sindri-source",
        f'FROM {IMAGE}\nARG SINDRI_VERSION=none\nRUN echo "$SINDRI_VERSION {marker}" > /etc/sindri-version\n',
    )
    env = new_env(tmp_path)
    env.config.write_text(
        env.config.read_text().replace(f"  image: {IMAGE}\n", "  buildFromSource:\n    gitRef: main\n")
    )
    env.env.update(SINDRI_SOURCE_REPO=repo.as_uri(), XDG_CACHE_HOME=str(tmp_path / "cache"))
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout
    tag = f"sindri-src:{commit.strip()[:12]}"
    try:
        plan = json.loads(env.ok("plan", "--json"))
        build = next(r for r in plan["resources"] if r["resource_type"] == "build")
        assert build["config"]["commit"] == "resolved at deploy" and build["config"]["ref"] == "main"
        assert "Build Sindri's image from source" in env.ok("plan")

        deploy = env.sindri("deploy")
        assert deploy.returncode == 0, deploy.stdout + deploy.stderr
        assert f"Building image {tag}" in deploy.stderr
        assert env.container()["Config"]["Image"] == tag
        assert env.ok("connect", "--", "cat", "/etc/sindri-version").strip() == f"main {marker}"
        labels = inspect(tag)["Config"]["Labels"]
        assert labels["dev.sindri.source.commit"] == commit.strip()

        cached = json.loads(env.ok("plan", "--json"))
        assert next(r for r in cached["resources"] if r["resource_type"] == "build")["config"]["commit"] == (
            commit.strip()
        )
        assert env.sindri("destroy", "--yes").returncode == 0
        again = env.sindri("deploy")
        assert again.returncode == 0 and "already built; not rebuilding" in again.stderr, again.stderr
        forced = env.sindri("deploy", "--force")  # recreates the container and rebuilds without the cache
        assert forced.returncode == 0 and f"Building image {tag}" in forced.stderr, forced.stderr
        assert "Using cache" not in forced.stderr and "CACHED" not in forced.stderr
    finally:
        env.cleanup()
        docker("image", "rm", "-f", tag, check=False)


def test_vault_secrets_reach_the_container_and_a_missing_required_one_stops(
    tmp_path: Path, demo_image: str
) -> None:
    sys.path.insert(0, str(STANDINS))
    from vault_api import TOKEN, VaultApiServer

    value = "vault-" + uuid.uuid4().hex + "-'\"$HOME"
    secrets = (
        "  - name: DB_PASSWORD\n    source: vault\n    vaultPath: sindri/db\n    vaultKey: password\n"
        "    required: true\n"
    )
    env = new_env(tmp_path, secrets)
    with VaultApiServer() as vault:
        vault.api.put("sindri/db", {"password": value})
        env.env.update(VAULT_ADDR=vault.url, VAULT_TOKEN=TOKEN)
        try:
            env.ok("deploy")
            got = env.ok("connect", "--", "sh", "-c", 'printf %s "$DB_PASSWORD" | sha256sum').split()[0]
            assert got == hashlib.sha256(value.encode()).hexdigest()
            for path in env.dir.rglob("*"):
                if path.is_file():
                    assert value.encode() not in path.read_bytes(), path
            env.ok("destroy", "--yes")

            vault.api.secrets.clear()  # the path is gone: deploy stops before creating anything
            failed = env.sindri("deploy")
            assert failed.returncode != 0
            assert "DB_PASSWORD: no secret at secret/sindri/db in Vault" in failed.stderr
            assert by_label("container", env.project) == []
        finally:
            env.cleanup()
    assert not any(value in output or TOKEN in output for output in env.outputs)
