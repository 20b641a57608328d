"""The E2B provider through its Python API against the loopback E2B API stand-in (real SDK)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from e2b_api import E2bApiServer
from e2b_testlib import SECRET, base_config
from sindri.providers.e2b import E2bProvider, dockerfile_str, size_to_mb
from sindri.providers.errors import NotDeployedError, ProviderError, UnsupportedError
from sindri.providers.types import DeploymentState, DeployOptions
from support import source_repo

Make = Callable[..., E2bProvider]


async def test_lifecycle(make_provider: Make, api: E2bApiServer, capfd: pytest.CaptureFixture[str]) -> None:
    provider = make_provider()
    assert (await provider.status()).state == DeploymentState.NOT_DEPLOYED

    result = await provider.deploy(DeployOptions())
    assert result.success and result.instance_id
    sid = result.instance_id
    box = api.api.sandboxes[sid]
    assert box["metadata"] == {"sindri_name": "e2b-env", "sindri_profile": "minimal"}
    assert box["envVars"]["API_TOKEN"] == SECRET  # the secret reaches the sandbox as an env var
    assert box["lifecycle"] == {"onTimeout": "pause", "autoResume": True}
    assert box["timeout"] == 600
    tpl = api.api.templates[box["templateID"]]
    assert tpl["aliases"] == ["e2b-env"] and tpl["cpuCount"] == 2 and tpl["memoryMB"] == 2048
    steps = str(tpl["_last_build"])
    assert "ghcr.io/pacphi/sindri:v3.1.4" in steps and "INSTALL_PROFILE" in steps
    assert "s3cr3t" not in steps  # never baked into the template

    status = await provider.status()
    assert status.state == DeploymentState.RUNNING and status.instance_id == sid

    await provider.stop()
    assert (await provider.status()).state == DeploymentState.PAUSED
    await provider.stop()  # already paused: no error
    await provider.start()
    assert (await provider.status()).state == DeploymentState.RUNNING

    code = await provider.connect(["sh", "-c", 'echo "out:$INSTALL_PROFILE"; echo oops >&2; exit 7'])
    assert code == 7
    out, err = capfd.readouterr()
    assert "out:minimal" in out and "oops" in err

    # deploy again: the running sandbox is kept, no second one, the template is reused
    again = await provider.deploy(DeployOptions())
    assert again.instance_id == sid and len(api.api.sandboxes) == 1
    assert tpl["buildCount"] == 1

    done = await provider.destroy()
    assert any(sid in line for line in done)
    assert not provider.output_dir.exists()
    assert (await provider.status()).state == DeploymentState.NOT_DEPLOYED
    with pytest.raises(NotDeployedError):
        await provider.stop()


async def test_connect_resumes_paused_sandbox(make_provider: Make, api: E2bApiServer) -> None:
    provider = make_provider()
    sid = (await provider.deploy(DeployOptions())).instance_id
    await provider.stop()
    assert await provider.connect(["true"]) == 0
    assert api.api.sandboxes[sid]["state"] == "running"


async def test_deploy_resumes_paused_and_force_replaces(make_provider: Make, api: E2bApiServer) -> None:
    provider = make_provider()
    sid = (await provider.deploy(DeployOptions())).instance_id
    await provider.stop()
    assert (await provider.deploy(DeployOptions())).instance_id == sid
    assert api.api.sandboxes[sid]["state"] == "running"
    new = (await provider.deploy(DeployOptions(force=True))).instance_id
    assert new != sid and list(api.api.sandboxes) == [new]


async def test_generated_files_have_no_secret_and_real_formats(make_provider: Make) -> None:
    import tomllib

    provider = make_provider(base_config(templateAlias="my-tpl"))
    await provider.deploy(DeployOptions())
    toml = tomllib.loads((provider.template_dir / "e2b.toml").read_text())
    assert set(toml) == {"template_id", "dockerfile", "template_name", "start_cmd", "cpu_count", "memory_mb"}
    assert toml["template_name"] == "my-tpl" and toml["dockerfile"] == "e2b.Dockerfile"
    for path in provider.loaded.directory.rglob("*"):
        if path.is_file():
            assert "s3cr3t" not in path.read_text(errors="replace"), path
    assert provider.output_dir == provider.loaded.directory / ".sindri" / "e2b"


async def test_gpu_refused_naming_gpu_providers(make_provider: Make) -> None:
    config = base_config()
    config["deployment"]["resources"] = {"gpu": {"enabled": True}}
    provider = make_provider(config)
    for call in (provider.deploy(DeployOptions()), provider.plan()):
        with pytest.raises(UnsupportedError) as err:
            await call
        for name in ("docker", "fly", "devpod", "kubernetes"):
            assert name in str(err.value)
    assert not provider.output_dir.exists()


async def test_prerequisites(make_provider: Make, api: E2bApiServer, e2b_env: dict[str, str]) -> None:
    ok = await make_provider().check_prerequisites()
    assert ok.satisfied
    cli = next(p for p in ok.available if p.name == "e2b")
    assert cli.install_hint == "npm install -g @e2b/cli"  # not on this PATH: reported, not blocking

    no_key = await make_provider(
        env={k: v for k, v in e2b_env.items() if k != "E2B_API_KEY"}
    ).check_prerequisites()
    assert [p.name for p in no_key.missing] == ["E2B_API_KEY"] and no_key.missing[0].kind == "env"
    assert "E2B_API_KEY" in (no_key.missing[0].install_hint or "")

    bad = await make_provider(env={**e2b_env, "E2B_API_KEY": "e2b_wrong"}).check_prerequisites()
    assert "invalid API key" in bad.missing[0].description

    down = await make_provider(env={**e2b_env, "E2B_API_URL": "http://127.0.0.1:9"}).check_prerequisites()
    assert "connection refused" in down.missing[0].description


@pytest.mark.parametrize(
    ("fail", "expected"),
    [("500", "internal server error"), ("garbage", "not valid JSON"), ("401", "invalid API key")],
)
async def test_api_failures_are_clear(
    make_provider: Make, api: E2bApiServer, fail: str, expected: str
) -> None:
    api.api.fail = fail
    with pytest.raises(ProviderError) as err:
        await make_provider().status()
    assert expected in str(err.value)


async def test_slow_api_is_bounded(
    make_provider: Make, api: E2bApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sindri.providers.e2b as mod

    monkeypatch.setattr(mod, "API_TIMEOUT", 0.5)
    api.api.fail, api.api.slow_seconds = "slow", 5
    with pytest.raises(ProviderError) as err:
        await make_provider().status()
    assert "did not answer" in str(err.value)


def test_helpers() -> None:
    assert size_to_mb("2GB", 1) == 2048 and size_to_mb("513MB", 1) == 514 and size_to_mb(None, 7) == 7
    assert dockerfile_str('a"b$c\\d') == '"a\\"b\\$c\\\\d"'
    with pytest.raises(UnsupportedError):
        dockerfile_str("a\nb")


async def test_no_image_builds_the_template_from_the_source_checkout(
    make_provider: Make, api: E2bApiServer, e2b_env: dict[str, str], tmp_path: Path
) -> None:
    """No image: the template is the source repository's Dockerfile (fetched with real git from a file://
    URL), its ARG defaults set to the build args, its COPY files taken from the checkout (#12)."""
    repo = source_repo(
        tmp_path / "src",
        "FROM sindri-demo:local\nARG SINDRI_VERSION=0.0.0\nCOPY v3/hello.txt /etc/hello.txt\n"
        'RUN echo "built $SINDRI_VERSION" > /etc/sindri-version\n',
    )
    config = base_config()
    config["deployment"] = {"provider": "e2b", "buildFromSource": {"gitRef": "main"}}
    (repo / "v3" / "hello.txt").write_text("hello\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "hello"], check=True)
    env = {**e2b_env, "SINDRI_SOURCE_REPO": str(repo), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    provider = make_provider(config, env=env)

    plan = await provider.plan()
    build = next(r for r in plan.resources if r.resource_type == "build")
    assert build.config["repository"] == str(repo) and build.config["commit"] == "resolved at deploy"

    result = await provider.deploy(DeployOptions())
    assert result.success
    tpl = next(iter(api.api.templates.values()))
    build_request = tpl["_last_build"]
    assert build_request["fromImage"] == "sindri-demo:local"
    steps = build_request["steps"]
    assert {"type": "ENV", "args": ["SINDRI_VERSION", "main"], "force": False} in steps
    (copy,) = [step for step in steps if step["type"] == "COPY"]
    assert (
        copy["args"][:2] == ["v3/hello.txt", "/etc/hello.txt"] and copy["filesHash"]
    )  # read from the checkout
    assert any(step["type"] == "RUN" and "/etc/sindri-version" in step["args"][0] for step in steps)
    assert "0.0.0" not in str(steps) and "s3cr3t" not in str(build_request)
    written = (provider.template_dir / "e2b.Dockerfile").read_text()
    assert 'ARG SINDRI_VERSION="main"' in written and "ENV INSTALL_PROFILE" in written

    multi = tmp_path / "multi"
    source_repo(multi, "FROM sindri-demo:local AS a\nFROM sindri-demo:local\n")
    staged = make_provider(config, env={**env, "SINDRI_SOURCE_REPO": str(multi)})
    with pytest.raises(UnsupportedError, match="one-stage"):
        await staged.deploy(DeployOptions(force=True))
