"""E2B: a cloud sandbox per environment, driven through the official `e2b` SDK.

Why the SDK and not the CLI (as upstream does): the E2B CLI cannot set sandbox metadata, has no JSON
create output and its `template build` is deprecated (tool-contracts.md 5.1, 9). The SDK talks to the
same REST API, honours E2B_API_KEY / E2B_API_URL / E2B_DOMAIN, and builds templates with E2B's current
build system (v2). The CLI is used only for the interactive shell (`e2b sandbox connect <id>`).

The sandbox is found by its metadata `sindri_name=<name>`. Secrets reach it only as sandbox
environment variables at create time: never in the template, never in a file.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from e2b import (
    AsyncSandbox,
    AsyncTemplate,
    AuthenticationException,
    CommandExitException,
    NotFoundException,
    SandboxLifecycle,
    SandboxQuery,
    SandboxState,
)
from sindri.schemas.model import E2bProvider as E2bSettings

from .base import Provider
from .errors import NotDeployedError, ProviderError, UnsupportedError
from .images import configured_image
from .render import render
from .source import Checkout, Source, cached_commit, fetch, plan_items, wants_build
from .types import (
    ActionType,
    ConnectionInfo,
    DeploymentPlan,
    DeploymentState,
    DeploymentStatus,
    DeploymentTimestamps,
    DeployOptions,
    DeployResult,
    PlannedAction,
    PlannedResource,
    Prerequisite,
    PrerequisiteStatus,
)

T = TypeVar("T")

API_TIMEOUT = 30.0
"""Bound of one control-plane call (list, create, pause, connect, kill)."""
PROBE_TIMEOUT = 10.0
"""Bound of the prerequisite probe: a cheap authenticated list."""
BUILD_TIMEOUT = 1800.0
STREAM_SETTLE = 0.1
DEFAULT_MEMORY_MB = 2048
DEFAULT_CPUS = 2
WORKDIR = "/alt/home/developer/workspace"
KEY_HINT = "export E2B_API_KEY=e2b_... (get a key at https://e2b.dev/dashboard?tab=keys)"
CLI_HINT = "npm install -g @e2b/cli"
GPU_PROVIDERS = (
    "docker (nvidia-container-toolkit), fly (GPU machines), devpod (cloud GPU backends), kubernetes"
)
STATES = {"running": DeploymentState.RUNNING, "paused": DeploymentState.PAUSED}
_IMAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$")


def dockerfile_str(value: str) -> str:
    """A double-quoted Dockerfile word: `\\`, `"` and `$` escaped; control characters refused."""
    if any(ord(ch) < 32 for ch in value):
        raise UnsupportedError(f"value {value!r} contains a control character and cannot go in a Dockerfile")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def size_to_mb(text: str | None, default: int) -> int:
    """`2GB` -> 2048, `512MB` -> 512 (the model only allows MB|GB); E2B wants an even number."""
    if not text:
        return default
    match = re.fullmatch(r"(\d+)(MB|GB)", text.strip(), re.IGNORECASE)
    if match is None:
        raise UnsupportedError(f"memory {text!r} is not a size like 2048MB or 2GB")
    mb = int(match[1]) * (1024 if match[2].upper() == "GB" else 1)
    return mb + (mb % 2)


class E2bProvider(Provider):
    name: ClassVar[str] = "e2b"

    # -- derived configuration ------------------------------------------------------------------------

    @property
    def settings(self) -> E2bSettings:
        providers = self.config.providers
        if providers is not None and providers.e2b is not None:
            return providers.e2b
        return E2bSettings.model_validate({})

    @property
    def alias(self) -> str:
        """The template name: templateAlias, or the environment name made E2B-safe."""
        return self.settings.template_alias or re.sub(r"[^a-z0-9-]", "-", self.config.name.lower())

    @property
    def template_dir(self) -> Path:
        return self.output_dir / "template"

    def resources(self) -> tuple[int, int]:
        res = self.config.deployment.resources
        cpus = res.cpus if res is not None and res.cpus else DEFAULT_CPUS
        return cpus, size_to_mb(res.memory if res is not None else None, DEFAULT_MEMORY_MB)

    def source(self) -> Source | None:
        """Where the template is built from, or None when it starts FROM a configured image."""
        return Source.of(self.config, self.runner.base_env) if wants_build(self.config) else None

    def image(self) -> str:
        image = configured_image(self.config)
        if image is None or wants_build(self.config):
            source = self.source()
            assert source is not None
            return f"{source.shown} at {source.ref} ({source.dockerfile})"
        if not _IMAGE_RE.fullmatch(image):
            raise UnsupportedError(f"image reference {image!r} is not valid")
        return image

    def profile(self) -> str:
        return self.config.extensions.profile or "base"

    def workload_env(self) -> dict[str, str]:
        """Non-secret settings baked into the template (what the Sindri entrypoint reads)."""
        ext = self.config.extensions
        return {
            "E2B_PROVIDER": "true",
            "INSTALL_PROFILE": self.profile(),
            "CUSTOM_EXTENSIONS": ",".join(ext.active or []),
            "ADDITIONAL_EXTENSIONS": ",".join(ext.additional or []),
            "SKIP_AUTO_INSTALL": "false" if ext.auto_install else "true",
            "INIT_WORKSPACE": "true",
        }

    def metadata(self) -> dict[str, str]:
        return {**self.settings.metadata, "sindri_name": self.config.name, "sindri_profile": self.profile()}

    def warnings(self) -> list[str]:
        s = self.settings
        out = []
        if s.allowed_domains or s.blocked_domains or s.public_access:
            out.append(
                "providers.e2b allowedDomains/blockedDomains/publicAccess are not applied by sindri yet"
            )
        if s.team:
            out.append("providers.e2b.team is ignored: the team is the one of E2B_API_KEY")
        return out

    # -- the SDK, bounded and with errors a user can act on ---------------------------------------------

    def _api(self, request_timeout: float | None = None) -> dict[str, Any]:
        """Connection options from the runner's environment (so the server's env wins over ours)."""
        env = self.runner.base_env
        key = env.get("E2B_API_KEY")
        if not key:
            raise ProviderError("E2B_API_KEY is not set", hint=KEY_HINT)
        opts: dict[str, Any] = {
            "api_key": key,
            "request_timeout": request_timeout or API_TIMEOUT,
            "retries": 1,
        }
        for name, opt in (
            ("E2B_API_URL", "api_url"),
            ("E2B_DOMAIN", "domain"),
            ("E2B_SANDBOX_URL", "sandbox_url"),
        ):
            if env.get(name):
                opts[opt] = env[name]
        return opts

    def _where(self) -> str:
        env = self.runner.base_env
        return env.get("E2B_API_URL") or f"https://api.{env.get('E2B_DOMAIN') or 'e2b.app'}"

    async def _sdk(self, what: str, call: Awaitable[T], timeout: float | None = None) -> T:
        """Await one SDK call within `timeout`, turning every failure into a ProviderError."""
        timeout = timeout or API_TIMEOUT
        try:
            async with asyncio.timeout(timeout):
                return await call
        except TimeoutError:
            raise ProviderError(
                f"the E2B API ({self._where()}) did not answer within {timeout:g}s while {what}",
                hint="check your network and https://status.e2b.dev, then retry",
            ) from None
        except AuthenticationException:
            raise ProviderError(
                f"the E2B API rejected the API key (401 invalid API key) while {what}", hint=KEY_HINT
            ) from None
        except NotFoundException as exc:
            raise NotDeployedError(f"E2B: not found while {what}: {_first_line(exc)}") from None
        except (ProviderError, asyncio.CancelledError):
            raise
        except Exception as exc:
            raise ProviderError(
                f"the E2B API ({self._where()}) failed while {what}: {_describe(exc)}",
                hint="retry; if it persists check E2B_API_URL / E2B_DOMAIN and https://status.e2b.dev",
            ) from None

    async def _find(self) -> list[Any]:
        """Our sandboxes (running or paused), newest first, found by metadata sindri_name."""
        opts = self._api()

        async def collect() -> list[Any]:
            query = SandboxQuery(
                metadata={"sindri_name": self.config.name}, state=[SandboxState.RUNNING, SandboxState.PAUSED]
            )
            pager = AsyncSandbox.list(query=query, limit=100, **opts)
            found: list[Any] = []
            while pager.has_next:
                found.extend(await pager.next_items())
            return found

        found = await self._sdk("listing sandboxes", collect())
        return sorted(found, key=lambda s: s.started_at, reverse=True)

    # -- prerequisites and plan ----------------------------------------------------------------------------

    async def check_prerequisites(self) -> PrerequisiteStatus:
        status = PrerequisiteStatus(provider=self.name)
        key_item = Prerequisite(name="E2B_API_KEY", description="E2B API key in the environment", kind="env")
        if not self.runner.base_env.get("E2B_API_KEY"):
            status.missing.append(
                key_item.model_copy(
                    update={"install_hint": KEY_HINT, "docs_url": "https://e2b.dev/docs/api-key"}
                )
            )
        else:
            status.available.append(key_item)
            probe = self._sdk(
                "checking the API key", self._probe(), timeout=self.probe_timeout(PROBE_TIMEOUT)
            )
            api = Prerequisite(name="e2b-api", description=f"E2B API at {self._where()}", kind="auth")
            try:
                await probe
                status.available.append(api)
            except ProviderError as exc:
                status.missing.append(
                    api.model_copy(update={"description": exc.message, "install_hint": exc.hint})
                )
        status.available.append(
            await self.optional_tool("e2b", "E2B CLI, for interactive `sindri connect`", CLI_HINT)
        )
        return status

    async def _probe(self) -> None:
        pager = AsyncSandbox.list(limit=1, **self._api(self.probe_timeout(PROBE_TIMEOUT)))
        await pager.next_items()

    def _refuse_gpu(self) -> None:
        res = self.config.deployment.resources
        if res is not None and res.gpu is not None and res.gpu.enabled:
            raise UnsupportedError(
                "E2B sandboxes do not support GPU workloads (resources.gpu.enabled is true)",
                hint=f"use a provider with GPU support: {GPU_PROVIDERS}; or set resources.gpu.enabled: false",
            )

    async def plan(self) -> DeploymentPlan:
        self._refuse_gpu()
        cpus, memory_mb = self.resources()
        s = self.settings
        plan = DeploymentPlan(provider=self.name, warnings=self.warnings())
        source = self.source()
        commit = await cached_commit(source, self.runner) if source else None
        base = source_dockerfile(Checkout(source, commit)) if source and commit else None
        plan.add_file(self.template_dir / "e2b.Dockerfile", "dockerfile", self.render_dockerfile(base))
        if source is not None:
            action, resource = plan_items(
                source,
                commit,
                image=f"template:{self.alias}",
                where="as an E2B template (E2B's builders run its steps; COPY files come from the checkout)",
                cost="a few minutes on E2B's builders when the template is built",
            )
            plan.actions.append(action)
            plan.resources.append(resource)
        # The template's id is known once it is built; a reused template is named by its alias.
        toml = self.render_toml(self.alias, cpus, memory_mb)
        plan.add_file(self.template_dir / "e2b.toml", "toml", toml)
        plan.actions.append(
            PlannedAction(
                action=ActionType.CREATE,
                resource="e2b.Dockerfile",
                description=f"Write the template Dockerfile (from {self.image()})",
            )
        )
        plan.actions.append(
            PlannedAction(
                action=ActionType.CREATE,
                resource="e2b.toml",
                description="Write the template config (E2B's flat format)",
            )
        )
        exists = await self._template_exists()
        if exists and s.reuse_template and not s.build_on_deploy:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.UPDATE,
                    resource=f"template:{self.alias}",
                    description="Use the existing E2B template",
                )
            )
        else:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"template:{self.alias}",
                    description="Build the E2B template (a few minutes)",
                )
            )
        existing = await self._find()
        if existing:
            state = str(existing[0].state.value)
            plan.actions.append(
                PlannedAction(
                    action=ActionType.START if state == "paused" else ActionType.UPDATE,
                    resource=f"sandbox:{existing[0].sandbox_id}",
                    description=f"Sandbox exists ({state}); deploy "
                    + ("resumes it" if state == "paused" else "keeps it"),
                )
            )
        else:
            plan.actions.append(
                PlannedAction(
                    action=ActionType.CREATE,
                    resource=f"sandbox:{self.config.name}",
                    description=f"Create a sandbox ({s.timeout}s timeout, "
                    f"{'pause' if s.auto_pause else 'kill'} on timeout)",
                )
            )
        plan.resources.append(
            PlannedResource(
                resource_type="template",
                name=self.alias,
                config={
                    "cpus": cpus,
                    "memory_mb": memory_mb,
                    "image": self.image(),
                    "profile": self.profile(),
                },
            )
        )
        plan.resources.append(
            PlannedResource(
                resource_type="sandbox",
                name=self.config.name,
                config={
                    "timeout": s.timeout,
                    "auto_pause": s.auto_pause,
                    "auto_resume": s.auto_resume,
                    "secrets": sorted(self.loaded.secrets),
                },
            )
        )
        return plan

    async def _template_exists(self) -> bool:
        return await self._sdk("looking up the template", AsyncTemplate.exists(self.alias, **self._api()))

    # -- deploy -------------------------------------------------------------------------------------------

    async def deploy(self, options: DeployOptions) -> DeployResult:
        self._refuse_gpu()
        result = DeployResult(
            success=True, name=self.config.name, provider=self.name, warnings=self.warnings()
        )
        if options.dry_run:
            result.messages.append("dry run: nothing was changed (see `sindri plan`)")
            return result
        existing = await self._find()
        if existing and not options.force:
            box = existing[0]
            result.instance_id = box.sandbox_id
            if box.state == SandboxState.PAUSED:
                if self.settings.auto_resume:
                    await self._resume(box.sandbox_id)
                    result.messages.append(f"resumed the paused sandbox {box.sandbox_id}")
                else:
                    result.warnings.append(
                        "the sandbox is paused and autoResume is false: run `sindri start`"
                    )
            else:
                result.messages.append(f"sandbox {box.sandbox_id} is already running")
            result.connection = self._connection(box.sandbox_id)
            return result
        for box in existing:  # --force: replace
            await self._kill(box.sandbox_id)
            result.messages.append(f"killed sandbox {box.sandbox_id} (--force)")
        template_id = await self._ensure_template(options.force, result)
        cpus, memory_mb = self.resources()
        self._write_toml(template_id, cpus, memory_mb)
        sandbox_id = await self._create()
        result.instance_id = sandbox_id
        result.connection = self._connection(sandbox_id)
        result.messages.append(f"created sandbox {sandbox_id} from template {self.alias}")
        return result

    def render_dockerfile(self, base: str | None = None) -> str:
        """The template's Dockerfile: the image (or with a source build, `base`: the source's Dockerfile)
        plus the workload's environment, never a secret."""
        env = {k: dockerfile_str(v) for k, v in self.workload_env().items()}
        source = self.source()
        if source is not None and base is None:
            base = f"# {source.dockerfile} of {source.shown} at {source.ref} goes here (fetched at deploy)"
        return render(
            "e2b/e2b.Dockerfile.j2",
            name=self.config.name,
            base=base,
            image=None if source else self.image(),
            env=env,
            workdir=dockerfile_str(WORKDIR),
            user="developer",
        )

    def render_toml(self, template_id: str, cpus: int, memory_mb: int) -> str:
        return render(
            "e2b/e2b.toml.j2",
            name=self.config.name,
            template_id=template_id,
            template_name=self.alias,
            cpu_count=cpus,
            memory_mb=memory_mb,
        )

    def _write_dockerfile(self, checkout: Checkout | None = None) -> Path:
        path = self.template_dir / "e2b.Dockerfile"
        self.files.write(path, self.render_dockerfile(source_dockerfile(checkout) if checkout else None))
        return path

    def _write_toml(self, template_id: str, cpus: int, memory_mb: int) -> None:
        self.files.write(self.template_dir / "e2b.toml", self.render_toml(template_id, cpus, memory_mb))

    async def _ensure_template(self, force: bool, result: DeployResult) -> str:
        """Build the template when asked, forced, or missing; return its id (or alias)."""
        s = self.settings
        if not (force or s.build_on_deploy or not s.reuse_template) and await self._template_exists():
            self._write_dockerfile()
            result.messages.append(f"reusing the E2B template {self.alias}")
            return self.alias
        source = self.source()
        checkout = await fetch(source, self.runner) if source else None
        dockerfile = self._write_dockerfile(checkout)
        cpus, memory_mb = self.resources()
        self.progress(f"Building E2B template {self.alias} (this takes a few minutes)...")
        # With a source build, the checkout is the context: the Dockerfile's COPY paths are the repository's.
        context = checkout.path if checkout else self.template_dir
        try:
            template = AsyncTemplate(file_context_path=str(context)).from_dockerfile(str(dockerfile))
        except Exception as exc:  # the SDK's parser: E2B builds single-stage Dockerfiles only
            raise UnsupportedError(
                f"E2B cannot build {checkout.dockerfile if checkout else dockerfile}: {_first_line(exc)}",
                hint="E2B templates take one-stage Dockerfiles: build and push the image elsewhere and set "
                "deployment.image (the template then starts FROM it)",
            ) from None
        build = AsyncTemplate.build(
            template,
            self.alias,
            cpu_count=cpus,
            memory_mb=memory_mb,
            skip_cache=force,
            on_build_logs=lambda entry: self.progress(f"build: {entry.message}"),
            **self._api(),
        )
        info = await self._sdk(f"building template {self.alias}", build, timeout=BUILD_TIMEOUT)
        result.messages.append(f"built the E2B template {self.alias} ({info.template_id})")
        return str(info.template_id)

    async def _create(self) -> str:
        s = self.settings
        lifecycle: SandboxLifecycle = {"on_timeout": "pause" if s.auto_pause else "kill"}
        if s.auto_pause:
            lifecycle["auto_resume"] = s.auto_resume
        create = AsyncSandbox.create(
            template=self.alias,
            timeout=s.timeout,
            metadata=self.metadata(),
            envs={**self.workload_env(), **self.loaded.secrets},
            lifecycle=lifecycle,
            allow_internet_access=s.internet_access,
            **self._api(),
        )
        box = await self._sdk("creating the sandbox", create)
        await self._install_files(box)
        return str(box.sandbox_id)

    async def _install_files(self, box: AsyncSandbox) -> None:
        """E2B mounts no secret files: each is created empty under umask 077 first (never readable by
        others), filled through envd's file API (`files.write`, no argv, no local file), then chmod'ed."""
        for secret in self.loaded.files:
            self.progress(f"Installing file secret {secret.name} at {secret.mount_path}")
            path = shlex.quote(secret.mount_path)
            what = f"installing file secret {secret.name} at {secret.mount_path}"
            prepare = f'umask 077 && mkdir -p "$(dirname {path})" && : > {path}'
            await self._sdk(what, box.commands.run(prepare, request_timeout=API_TIMEOUT))
            await self._sdk(what, box.files.write(secret.mount_path, secret.content))
            chmod = f"chmod {secret.mode:04o} {path}"
            await self._sdk(what, box.commands.run(chmod, request_timeout=API_TIMEOUT))

    def _connection(self, sandbox_id: str) -> ConnectionInfo:
        return ConnectionInfo(
            ssh_command=f"e2b sandbox connect {sandbox_id}",
            instructions="sindri connect (shell), sindri connect -- CMD (one command); "
            "sindri stop pauses the sandbox, sindri destroy kills it",
        )

    # -- status, start, stop, destroy ---------------------------------------------------------------

    async def status(self) -> DeploymentStatus:
        found = await self._find()
        status = DeploymentStatus(
            name=self.config.name, provider=self.name, state=DeploymentState.NOT_DEPLOYED
        )
        if not found:
            return status
        box = found[0]
        state = str(getattr(box.state, "value", box.state))
        status.state = STATES.get(state, DeploymentState.UNKNOWN)
        status.instance_id = box.sandbox_id
        status.image = self.image()
        status.timestamps = DeploymentTimestamps(created_at=box.started_at, started_at=box.started_at)
        status.details = {
            "template_id": str(box.template_id),
            "template": str(box.name or self.alias),
            "end_at": box.end_at.isoformat() if box.end_at else "",
            "cpu_count": str(box.cpu_count),
            "memory_mb": str(box.memory_mb),
        }
        if len(found) > 1:
            status.messages.append(
                f"{len(found)} sandboxes carry sindri_name={self.config.name}; showing the newest"
            )
        return status

    async def _one(self) -> Any:
        found = await self._find()
        if not found:
            raise NotDeployedError(
                f"no E2B sandbox for '{self.config.name}'", hint="deploy first: sindri deploy"
            )
        return found[0]

    async def _resume(self, sandbox_id: str) -> None:
        """Resume (or keep alive) through connect, which also resets the sandbox timeout."""
        self.progress(f"Resuming sandbox {sandbox_id}...")
        await self._sdk(
            "resuming the sandbox",
            AsyncSandbox.connect(sandbox_id, timeout=self.settings.timeout, **self._api()),
        )

    async def _kill(self, sandbox_id: str) -> bool:
        killed: bool = await self._sdk("killing the sandbox", AsyncSandbox.kill(sandbox_id, **self._api()))
        return killed

    async def start(self) -> None:
        box = await self._one()
        await self._resume(box.sandbox_id)

    async def stop(self) -> None:
        box = await self._one()
        if box.state == SandboxState.PAUSED:
            self.progress(f"Sandbox {box.sandbox_id} is already paused")
            return
        self.progress(f"Pausing sandbox {box.sandbox_id} (about 4 s per GiB of RAM)...")
        await self._sdk("pausing the sandbox", AsyncSandbox.pause(box.sandbox_id, **self._api()), timeout=300)

    async def destroy(self, force: bool = False) -> list[str]:
        done = []
        for box in await self._find():
            if await self._kill(box.sandbox_id):
                done.append(f"killed sandbox {box.sandbox_id}")
        if not done:
            done.append(f"no E2B sandbox for '{self.config.name}' (nothing to kill)")
        if self.files.remove_tree(self.output_dir):
            done.append(f"removed {self.output_dir}")
        done.append(f"kept the E2B template {self.alias} (delete it with `e2b template delete {self.alias}`)")
        return done

    # -- connect ---------------------------------------------------------------------------------------------

    async def connect(self, command: Sequence[str] | None = None) -> int:
        box = await self._one()
        if box.state == SandboxState.PAUSED and not self.settings.auto_resume:
            raise ProviderError(
                f"sandbox {box.sandbox_id} is paused and autoResume is false", hint="run `sindri start` first"
            )
        sandbox = await self._sdk(
            "connecting to the sandbox",
            AsyncSandbox.connect(box.sandbox_id, timeout=self.settings.timeout, **self._api()),
        )
        if not command:
            return await self.runner.run_attached(
                ["e2b", "sandbox", "connect", box.sandbox_id], hint=f"install the E2B CLI: {CLI_HINT}"
            )
        return await self._run_command(sandbox, command)

    async def _run_command(self, sandbox: Any, command: Sequence[str]) -> int:
        """Run one command in the sandbox, streaming its output to ours; its exit code is returned."""
        line = shlex.join(command)

        def out(text: str) -> None:
            sys.stdout.write(self.runner.redact(text))
            sys.stdout.flush()

        def err(text: str) -> None:
            sys.stderr.write(self.runner.redact(text))
            sys.stderr.flush()

        try:
            result = await sandbox.commands.run(
                line,
                timeout=0,
                request_timeout=API_TIMEOUT,
                on_stdout=out,
                on_stderr=err,
                retain_output=False,
            )
        except CommandExitException as exc:
            return int(exc.exit_code)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise ProviderError(
                f"running the command in sandbox {sandbox.sandbox_id} failed: {_describe(exc)}",
                hint="check `sindri status`; the sandbox may have timed out",
            ) from None
        finally:
            # The SDK's Rust transport can abort the interpreter at exit (SIGABRT) if the process
            # ends while the finished stream's connection is still being torn down: let it settle.
            await asyncio.sleep(STREAM_SETTLE)
        return int(result.exit_code)


def source_dockerfile(checkout: Checkout) -> str:
    """The source's Dockerfile with the build args as its ARG defaults (E2B builds take no build args)."""
    try:
        text = checkout.dockerfile.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProviderError(f"cannot read {checkout.dockerfile}: {exc}") from None
    for key, value in checkout.source.build_args.items():
        pattern = re.compile(rf"^(\s*ARG\s+{key})(=.*)?[ \t]*$", re.MULTILINE | re.IGNORECASE)
        text = pattern.sub(rf"\g<1>={dockerfile_str(value).replace(chr(92), chr(92) * 2)}", text)
    return text.rstrip("\n")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _describe(exc: BaseException) -> str:
    """A one-line reason, naming connection failures and unparsable replies plainly."""
    text = f"{type(exc).__name__}: {exc}".lower()
    if "connect" in text and ("refused" in text or "error" in text):
        return "connection refused (is the API reachable?)"
    if "json" in text or "decode" in text or "expecting value" in text:
        return "the reply was not valid JSON"
    return _first_line(exc)
