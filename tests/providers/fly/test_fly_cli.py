"""The Fly provider through the real `sindri` CLI (a subprocess) against the flyctl stand-in."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from support import STANDINS, run_sindri, source_repo

SECRET = "s3cr3t-Value-with-#-and-'quotes'"
CONFIG = """\
version: "3.0"
name: my-env
deployment:
  provider: fly
  image: ghcr.io/pacphi/sindri:v3-latest
  resources:
    memory: 4GB
    cpus: 2
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
    required: true
providers:
  fly:
    region: ord
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "sindri.yaml").write_text(CONFIG)
    return folder / "sindri.yaml"


@pytest.fixture
def env(standin_env: dict[str, str]) -> dict[str, str]:
    return {**standin_env, "API_TOKEN": SECRET}


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory away from the config: nothing may be written here."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def sindri(
    *args: str, env: dict[str, str], cwd: Path, input: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = run_sindri(*args, env=env, cwd=cwd, input=input, timeout=timeout)
    assert "Traceback" not in result.stderr + result.stdout
    assert SECRET not in result.stdout + result.stderr
    return result


def calls(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["SINDRI_STANDIN_STATE"]) / "flyctl.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def state_of(config: Path, env: dict[str, str], cwd: Path) -> str:
    result = sindri("status", "-c", str(config), "--json", env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["state"])


def flyctl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(STANDINS / "flyctl"), *args], env=env, capture_output=True, text=True, timeout=30
    )


def test_full_lifecycle(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    c = str(project)
    plan = sindri("plan", "-c", c, "--json", env=env, cwd=elsewhere)
    assert plan.returncode == 0, plan.stderr
    resources = {a["resource"] for a in json.loads(plan.stdout)["actions"]}
    assert {"app:my-env", "volume:home_data", "machine:my-env"} <= resources
    assert state_of(project, env, elsewhere) == "not_deployed"

    deploy = sindri("deploy", "-c", c, env=env, cwd=elsewhere)
    assert deploy.returncode == 0, deploy.stderr
    assert "Deployed my-env to fly" in deploy.stdout
    assert "dedicated IPv4" in deploy.stderr  # said out loud, not silently bought
    fly_toml = project.parent / ".sindri" / "fly" / "fly.toml"
    assert fly_toml.is_file()
    assert list(elsewhere.iterdir()) == []
    assert state_of(project, env, elsewhere) == "running"

    assert sindri("stop", "-c", c, env=env, cwd=elsewhere).returncode == 0
    assert state_of(project, env, elsewhere) == "stopped"
    assert sindri("start", "-c", c, env=env, cwd=elsewhere).returncode == 0
    assert state_of(project, env, elsewhere) == "running"

    hi = sindri(
        "connect",
        "-c",
        c,
        "--",
        "sh",
        "-c",
        'echo "hi $1"; exit 7',
        "sh",
        "a b; $HOME",
        env=env,
        cwd=elsewhere,
    )
    assert hi.stdout == "hi a b; $HOME\n"
    assert hi.returncode == 7

    destroy = sindri("destroy", "-c", c, "--yes", env=env, cwd=elsewhere)
    assert destroy.returncode == 0, destroy.stderr
    assert not fly_toml.exists()
    assert state_of(project, env, elsewhere) == "not_deployed"

    argv = calls(env)
    deploy_call = next(a for a in argv if a[0] == "deploy")
    assert deploy_call[deploy_call.index("-c") + 1] == str(fly_toml)
    assert ["apps", "destroy", "my-env", "--yes"] in argv


def test_secret_reaches_fly_by_stdin_only(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    deploy = sindri("deploy", "-c", str(project), "--json", env=env, cwd=elsewhere)
    assert deploy.returncode == 0, deploy.stderr
    # The stand-in keeps a digest of what it read on stdin: the value arrived intact.
    listed = json.loads(flyctl("secrets", "list", "-a", "my-env", env=env).stdout)
    assert listed[0]["name"] == "API_TOKEN"
    assert listed[0]["digest"] == hashlib.sha256(SECRET.encode()).hexdigest()[:16]
    assert listed[0]["status"] == "Deployed"
    assert SECRET not in json.dumps(calls(env))
    for file in project.parent.rglob("*"):
        if file.is_file():
            assert SECRET not in file.read_text(errors="replace"), file
    doc = (project.parent / ".sindri" / "fly" / "fly.toml").read_text()
    assert "API_TOKEN" not in doc


def test_connect_wakes_a_suspended_machine(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    assert sindri("deploy", "-c", str(project), env=env, cwd=elsewhere).returncode == 0
    [machine] = json.loads(flyctl("machines", "list", "-a", "my-env", "--json", env=env).stdout)
    assert flyctl("machine", "suspend", machine["id"], "-a", "my-env", env=env).returncode == 0
    assert state_of(project, env, elsewhere) == "suspended"

    result = sindri("connect", "-c", str(project), "--", "echo", "awake", env=env, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "awake\n"
    argv = calls(env)
    start = argv.index(["machine", "start", machine["id"], "-a", "my-env"])
    console = max(i for i, a in enumerate(argv) if a[:2] == ["ssh", "console"])
    assert start < console
    assert state_of(project, env, elsewhere) == "running"


def test_interactive_connect_hands_over_the_terminal(
    project: Path, env: dict[str, str], elsewhere: Path
) -> None:
    assert sindri("deploy", "-c", str(project), env=env, cwd=elsewhere).returncode == 0
    result = sindri("connect", "-c", str(project), env=env, cwd=elsewhere, input="echo interactive\nexit 4\n")
    assert result.stdout == "interactive\n"
    assert result.returncode == 4
    assert any(a[:2] == ["ssh", "console"] and "--pty" in a for a in calls(env))


def fails(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_tool_missing(project: Path, env: dict[str, str], elsewhere: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    bare = {**env, "PATH": f"{empty}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    fails(sindri("deploy", "-c", str(project), env=bare, cwd=elsewhere), "flyctl", "fly.io/install.sh")
    fails(sindri("status", "-c", str(project), env=bare, cwd=elsewhere), "'flyctl' was not found")
    doctor = sindri("doctor", "-c", str(project), env=bare, cwd=elsewhere)
    assert doctor.returncode == 1 and "install.sh" in doctor.stdout


def test_not_logged_in(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    out = {**env, "SINDRI_STANDIN_FLY_LOGGED_OUT": "1"}
    fails(sindri("deploy", "-c", str(project), env=out, cwd=elsewhere), "flyctl-auth", "flyctl auth login")
    fails(sindri("status", "-c", str(project), env=out, cwd=elsewhere), "not logged in", "flyctl auth login")
    assert not any(a[:2] == ["apps", "create"] for a in calls(env))


def test_non_zero_exit(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    failing = {**env, "SINDRI_STANDIN_FAIL": "deploy"}
    fails(sindri("deploy", "-c", str(project), env=failing, cwd=elsewhere), "exit code 1", "told to fail")


def test_garbage_output(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    garbage = {**env, "SINDRI_STANDIN_GARBAGE": "machines list"}
    fails(sindri("status", "-c", str(project), env=garbage, cwd=elsewhere), "not JSON", "502 Bad Gateway")


def standins_alive(state: str) -> list[int]:
    """Processes still running with this test's stand-in state dir in their environment."""
    alive = []
    for proc in Path("/proc").iterdir():
        try:
            if (
                proc.name.isdigit()
                and f"SINDRI_STANDIN_STATE={state}".encode() in (proc / "environ").read_bytes()
            ):
                alive.append(int(proc.name))
        except OSError:
            continue
    return alive


def test_hanging_tool_is_killed_at_the_timeout(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    hanging = {**env, "SINDRI_STANDIN_HANG": "deploy"}
    result = sindri("deploy", "-c", str(project), "--timeout", "3", env=hanging, cwd=elsewhere, timeout=60)
    fails(result, "did not finish within 3s")
    assert any(a[0] == "deploy" for a in calls(env))
    assert standins_alive(env["SINDRI_STANDIN_STATE"]) == []


def test_app_name_already_taken(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    taken = {**env, "SINDRI_STANDIN_FLY_TAKEN": "my-env"}
    fails(
        sindri("deploy", "-c", str(project), env=taken, cwd=elsewhere),
        "already taken",
        "choose another `name`",
    )
    assert not any(a[0] == "deploy" for a in calls(env))


def test_not_found(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    fails(sindri("stop", "-c", str(project), env=env, cwd=elsewhere), "does not exist", "sindri deploy")
    fails(sindri("connect", "-c", str(project), "--", "true", env=env, cwd=elsewhere), "does not exist")
    destroy = sindri("destroy", "-c", str(project), "--yes", env=env, cwd=elsewhere)
    assert destroy.returncode == 0
    assert "did not exist" in destroy.stdout + destroy.stderr


def test_start_without_capacity(project: Path, env: dict[str, str], elsewhere: Path) -> None:
    assert sindri("deploy", "-c", str(project), env=env, cwd=elsewhere).returncode == 0
    assert sindri("stop", "-c", str(project), env=env, cwd=elsewhere).returncode == 0
    full = {**env, "SINDRI_STANDIN_FLY_NO_CAPACITY": "1"}
    fails(sindri("start", "-c", str(project), env=full, cwd=elsewhere), "lack of capacity")
    assert state_of(project, env, elsewhere) == "stopped"


def test_plan_json_shows_the_fly_toml_deploy_writes(
    project: Path, env: dict[str, str], elsewhere: Path
) -> None:
    plan = sindri("plan", "-c", str(project), "--json", env=env, cwd=elsewhere)
    assert plan.returncode == 0, plan.stderr
    generated = json.loads(plan.stdout)["generatedFiles"]
    fly_toml = project.parent / ".sindri" / "fly" / "fly.toml"
    assert [(f["path"], f["language"]) for f in generated] == [(str(fly_toml), "toml")]
    assert not fly_toml.exists()
    assert sindri("deploy", "-c", str(project), env=env, cwd=elsewhere).returncode == 0
    assert fly_toml.read_text() == generated[0]["content"]


def test_no_image_is_built_by_fly_from_the_source_checkout(
    project: Path, env: dict[str, str], elsewhere: Path, tmp_path: Path
) -> None:
    """No image: plan names the build; deploy fetches the source repository (real git, file:// URL) and
    hands flyctl the checkout as working directory and its Dockerfile and build args in fly.toml."""
    repo = source_repo(tmp_path / "src", "FROM sindri-demo:local\n", dev="FROM sindri-demo:local\nRUN true\n")
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    project.write_text(
        CONFIG.replace(
            "  image: ghcr.io/pacphi/sindri:v3-latest\n",
            "  buildFromSource:\n    enabled: true\n    gitRef: main\n",
        )
    )
    env = {**env, "SINDRI_SOURCE_REPO": repo.as_uri(), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    plan = sindri("plan", "-c", str(project), "--json", env=env, cwd=elsewhere)
    assert plan.returncode == 0, plan.stderr
    data = json.loads(plan.stdout)
    build = next(r for r in data["resources"] if r["resource_type"] == "build")
    assert build["config"]["repository"] == repo.as_uri() and build["config"]["ref"] == "main"
    assert build["config"]["commit"] == "resolved at deploy"
    assert build["config"]["dockerfile"] == "v3/Dockerfile.dev"
    assert any("Build Sindri's image from source" in a["description"] for a in data["actions"])

    deploy = sindri("deploy", "-c", str(project), "--force", env=env, cwd=elsewhere)
    assert deploy.returncode == 0, deploy.stderr
    state = json.loads((Path(env["SINDRI_STANDIN_STATE"]) / "flyctl.json").read_text())
    (built,) = state["builds"]
    checkout = Path(built["context"])
    assert checkout.is_relative_to(tmp_path / "cache" / "sindri" / "source")
    assert Path(built["dockerfile"]) == checkout / "v3" / "Dockerfile.dev"
    assert built["args"] == {
        "BUILD_FROM_SOURCE": "true",
        "SINDRI_VERSION": "main",
        "SINDRI_SOURCE_REF": "main",
    }
    assert built["no_cache"] is True  # --force
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert head.stdout.strip() == commit
    assert state_of(project, env, elsewhere) == "running"
    assert list(elsewhere.iterdir()) == []

    again = json.loads(sindri("plan", "-c", str(project), "--json", env=env, cwd=elsewhere).stdout)
    assert next(r for r in again["resources"] if r["resource_type"] == "build")["config"]["commit"] == commit


def test_an_unreachable_source_repository_fails_with_the_fix(
    project: Path, env: dict[str, str], elsewhere: Path, tmp_path: Path
) -> None:
    project.write_text(CONFIG.replace("  image: ghcr.io/pacphi/sindri:v3-latest\n", ""))
    env = {
        **env,
        "SINDRI_SOURCE_REPO": (tmp_path / "nowhere").as_uri(),
        "XDG_CACHE_HOME": str(tmp_path / "c"),
    }
    deploy = sindri("deploy", "-c", str(project), env=env, cwd=elsewhere)
    assert deploy.returncode == 1
    assert "could not fetch 'v3'" in deploy.stderr and "deployment.image" in deploy.stderr
    assert not any(call[:1] == ["deploy"] for call in calls(env))


def test_file_secret_is_a_fly_secret_named_by_fly_toml_files(
    project: Path, env: dict[str, str], elsewhere: Path
) -> None:
    content = b"-----BEGIN KEY-----\n" + SECRET.encode() + b"\n\x00\xff\n"
    (project.parent / "id_key").write_bytes(content)
    project.write_text(
        CONFIG.replace(
            "providers:",
            "  - name: SSH_KEY\n    source: file\n    path: ./id_key\n"
            "    mountPath: /alt/home/developer/.ssh/id_key\n    permissions: '0600'\nproviders:",
        )
    )
    deploy = sindri("deploy", "-c", str(project), env=env, cwd=elsewhere)
    assert deploy.returncode == 0, deploy.stderr
    listed = {s["name"]: s for s in json.loads(flyctl("secrets", "list", "-a", "my-env", env=env).stdout)}
    encoded = base64.b64encode(content).decode()
    assert listed["SINDRI_FILE_SSH_KEY"]["digest"] == hashlib.sha256(encoded.encode()).hexdigest()[:16]
    machines = json.loads(flyctl("machines", "list", "-a", "my-env", "--json", env=env).stdout)
    assert machines[0]["config"]["files"] == [
        {"guest_path": "/alt/home/developer/.ssh/id_key", "secret_name": "SINDRI_FILE_SSH_KEY"}
    ]
    for file in project.parent.rglob("*"):  # fly.toml only names it
        if file.is_file() and file.name != "id_key":
            assert SECRET.encode() not in file.read_bytes() and encoded.encode() not in file.read_bytes()
    assert encoded not in json.dumps(calls(env)) and encoded not in deploy.stdout + deploy.stderr
