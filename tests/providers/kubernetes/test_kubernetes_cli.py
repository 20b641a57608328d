"""The `sindri` CLI as a subprocess against the kubectl/kind/k3d stand-ins: lifecycle and failure paths."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from k8s_helpers import (
    SECRET_VALUE,
    STANDIN_DIR,
    cluster_state,
    config_dict,
    k8s_env,
    write_config,
)
from support import run_sindri


@pytest.fixture
def env(standin_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = k8s_env(standin_env, tmp_path)
    env["API_TOKEN"] = SECRET_VALUE
    return env


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path / "project", config_dict())


def sindri(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = run_sindri(*args, env=env, cwd=cwd)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert SECRET_VALUE not in result.stderr + result.stdout
    return result


def failed(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    for needle in needles:
        assert needle in result.stderr + result.stdout, result.stderr


def test_full_lifecycle(env: dict[str, str], cfg: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    c = ["-c", str(cfg)]

    plan = sindri(env, "plan", *c, "--json", cwd=elsewhere)
    assert plan.returncode == 0, plan.stderr
    actions = {a["resource"] for a in json.loads(plan.stdout)["actions"]}
    assert {"namespace:sindri-dev", "pvc:my-env-home-pvc", "deployment:my-env", "service:my-env"} <= actions
    generated = {f["path"]: f for f in json.loads(plan.stdout)["generatedFiles"]}
    out = cfg.parent / ".sindri" / "kubernetes"
    assert list(generated) == [str(out / "namespace.yaml"), str(out / "k8s-deployment.yaml")]
    assert {f["language"] for f in generated.values()} == {"yaml"}

    deploy = sindri(env, "deploy", *c, "--timeout", "60", cwd=elsewhere)
    assert deploy.returncode == 0, deploy.stderr
    assert not list(elsewhere.iterdir())  # nothing written to the CWD
    for path, file in generated.items():  # plan showed exactly what deploy wrote
        assert Path(path).read_text() == file["content"]
        assert SECRET_VALUE not in file["content"]

    status = sindri(env, "status", *c, "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["state"] == "running"

    assert sindri(env, "stop", *c).returncode == 0
    stopped = json.loads(sindri(env, "status", *c, "--json").stdout)
    assert stopped["state"] == "stopped"  # not "not deployed"

    assert sindri(env, "start", *c).returncode == 0
    assert json.loads(sindri(env, "status", *c, "--json").stdout)["state"] == "running"

    ran = sindri(env, "connect", *c, "--", "sh", "-c", 'echo "in $HOSTNAME"; test -n "$API_TOKEN"; exit 5')
    assert ran.returncode == 5 and "in my-env-" in ran.stdout

    destroy = sindri(env, "destroy", *c, "--yes")
    assert destroy.returncode == 0, destroy.stderr
    assert not [k for k in cluster_state(env)["objects"] if "sindri-dev" in k]
    final = json.loads(sindri(env, "status", *c, "--json").stdout)
    assert final["state"] == "not_deployed"

    # the secret value never landed in a file under the config dir
    for file in cfg.parent.rglob("*"):
        if file.is_file():
            assert SECRET_VALUE not in file.read_text(errors="replace"), file


def test_interactive_connect_falls_back_to_sh(env: dict[str, str], cfg: Path) -> None:
    assert sindri(env, "deploy", "-c", str(cfg)).returncode == 0
    env["SINDRI_STANDIN_K8S_NO_BASH"] = "1"
    shell = run_sindri("connect", "-c", str(cfg), env=env, input='echo "shell=$0"; exit 3\n')
    assert shell.returncode == 3, shell.stderr
    assert "shell=sh" in shell.stdout
    assert "Unable to use a TTY" not in shell.stderr  # -t is only passed with a terminal


def test_k3d_cluster_gets_the_image(standin_env: dict[str, str], tmp_path: Path, cfg: Path) -> None:
    env = k8s_env(standin_env, tmp_path, context="k3d-dev")
    env["API_TOKEN"] = SECRET_VALUE
    result = sindri(env, "deploy", "-c", str(cfg))
    assert result.returncode == 0, result.stderr
    assert "(k3d cluster)" in result.stdout
    clusters = json.loads((Path(env["SINDRI_STANDIN_STATE"]) / "k3d.json").read_text())["clusters"]
    assert clusters["dev"] == ["ghcr.io/pacphi/sindri:v3-latest"]


def test_kind_context_without_its_cluster_is_treated_as_remote(
    standin_env: dict[str, str], tmp_path: Path, cfg: Path
) -> None:
    env = k8s_env(standin_env, tmp_path, context="kind-gone")
    subprocess.run(["kind", "delete", "cluster", "--name", "gone"], env=env, check=True, capture_output=True)
    subprocess.run(["kind", "create", "cluster", "--name", "other"], env=env, check=True, capture_output=True)
    result = sindri(env, "deploy", "-c", str(cfg))
    assert result.returncode == 0, result.stderr
    assert "must be pullable" in result.stderr
    assert not any(c[:1] == ["load"] for c in _calls(env, "kind"))


def test_deploy_twice_needs_force(env: dict[str, str], cfg: Path) -> None:
    assert sindri(env, "deploy", "-c", str(cfg)).returncode == 0
    failed(sindri(env, "deploy", "-c", str(cfg)), "already exists in namespace 'sindri-dev'", "--force")
    assert sindri(env, "deploy", "-c", str(cfg), "--force").returncode == 0
    assert "PersistentVolumeClaim/sindri-dev/my-env-home-pvc" in cluster_state(env)["objects"]


@pytest.mark.parametrize("verb", ["start", "stop"])
def test_not_found(env: dict[str, str], cfg: Path, verb: str) -> None:
    failed(sindri(env, verb, "-c", str(cfg)), "not found in namespace 'sindri-dev'", "sindri deploy")


def test_connect_not_found(env: dict[str, str], cfg: Path) -> None:
    failed(sindri(env, "connect", "-c", str(cfg), "--", "true"), "not found in namespace 'sindri-dev'")


def test_destroy_missing_is_a_warning(env: dict[str, str], cfg: Path) -> None:
    result = sindri(env, "destroy", "-c", str(cfg), "--yes")
    assert result.returncode == 0, result.stderr
    assert "Nothing to destroy" in result.stdout + result.stderr


def test_kubectl_missing(env: dict[str, str], cfg: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    env["PATH"] = str(bare)  # no kubectl anywhere
    failed(sindri(env, "deploy", "-c", str(cfg)), "kubectl", "https://kubernetes.io/docs/tasks/tools/")


def test_cluster_unreachable(env: dict[str, str], cfg: Path) -> None:
    env["SINDRI_STANDIN_K8S_UNREACHABLE"] = "1"
    failed(sindri(env, "deploy", "-c", str(cfg)), "was refused", "kind create cluster")
    failed(sindri(env, "status", "-c", str(cfg)), "was refused")


def test_no_current_context(env: dict[str, str], cfg: Path, tmp_path: Path) -> None:
    (tmp_path / "empty-kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    env["KUBECONFIG"] = str(tmp_path / "empty-kubeconfig")
    failed(sindri(env, "deploy", "-c", str(cfg)), "current-context is not set")


def test_tool_fails(env: dict[str, str], cfg: Path) -> None:
    env["SINDRI_STANDIN_FAIL"] = "apply"
    failed(sindri(env, "deploy", "-c", str(cfg)), "exit code 1", "kubectl stand-in was told to fail")


def test_garbage_output(env: dict[str, str], cfg: Path) -> None:
    assert sindri(env, "deploy", "-c", str(cfg)).returncode == 0
    env["SINDRI_STANDIN_GARBAGE"] = "get deployment"
    failed(sindri(env, "status", "-c", str(cfg)), "not JSON")


def test_hang_is_killed_at_the_timeout(env: dict[str, str], cfg: Path) -> None:
    env["SINDRI_STANDIN_HANG"] = "get deployment"
    result = sindri(env, "status", "-c", str(cfg), "--timeout", "2")
    failed(result, "did not finish within 2s")
    env.pop("SINDRI_STANDIN_HANG")
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"{STANDIN_DIR / 'kubectl'} get deployment" not in ps  # the hung kubectl was killed


def test_pod_never_ready(env: dict[str, str], cfg: Path) -> None:
    env["SINDRI_STANDIN_K8S_POD"] = "CrashLoopBackOff"
    failed(
        sindri(env, "deploy", "-c", str(cfg), "--timeout", "6"), "did not become ready", "CrashLoopBackOff"
    )
    status = json.loads(sindri(env, "status", "-c", str(cfg), "--json").stdout)
    assert status["state"] == "error"


def _calls(env: dict[str, str], tool: str) -> list[list[str]]:
    log = Path(env["SINDRI_STANDIN_STATE"]) / f"{tool}.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_file_secrets_are_a_mounted_secret_applied_from_memory(env: dict[str, str], tmp_path: Path) -> None:
    data = config_dict()
    data["secrets"].append(
        {
            "name": "SSH_KEY",
            "source": "file",
            "path": "./id_key",
            "mountPath": "/alt/home/developer/.ssh/id",
            "permissions": "0600",
        }
    )
    cfg = write_config(tmp_path / "project", data)
    content = b"-----BEGIN KEY-----\n" + SECRET_VALUE.encode() + b"\n\x00\xff-----END KEY-----\n"
    (cfg.parent / "id_key").write_bytes(content)
    assert sindri(env, "deploy", "-c", str(cfg), "--timeout", "60").returncode == 0
    objects = cluster_state(env)["objects"]
    secret = next(o for k, o in objects.items() if k.endswith("my-env-files"))
    assert base64.b64decode(secret["data"]["SSH_KEY"]) == content
    deployment = next(o for k, o in objects.items() if k.startswith("Deployment") and "my-env" in k)
    pod = deployment["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "secret-files")
    assert volume["secret"] == {
        "secretName": "my-env-files",
        "items": [{"key": "SSH_KEY", "path": "SSH_KEY", "mode": 0o600}],
    }
    assert {
        "name": "secret-files",
        "mountPath": "/alt/home/developer/.ssh/id",
        "subPath": "SSH_KEY",
        "readOnly": True,
    } in pod["containers"][0]["volumeMounts"]
    assert json.loads(sindri(env, "status", "-c", str(cfg), "--json").stdout)["state"] == "running"
    for file in cfg.parent.rglob("*"):  # only the user's own file holds the content
        if file.is_file() and file.name != "id_key":
            assert SECRET_VALUE.encode() not in file.read_bytes(), file
    assert sindri(env, "destroy", "-c", str(cfg), "--yes").returncode == 0
    assert not [k for k in cluster_state(env)["objects"] if "my-env-files" in k]


def test_a_missing_required_file_secret_stops_the_deploy(env: dict[str, str], tmp_path: Path) -> None:
    data = config_dict()
    data["secrets"].append(
        {"name": "CERT", "source": "file", "path": "./nope.pem", "mountPath": "/c.pem", "required": True}
    )
    cfg = write_config(tmp_path / "project", data)
    failed(
        sindri(env, "deploy", "-c", str(cfg)),
        "required secrets are not set: CERT (./nope.pem does not exist)",
    )
    assert not cluster_state(env).get("objects")
