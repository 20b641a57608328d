"""Semantic rules: what the schema cannot express. Each rule is a small function of the document.

Rules read plain data (`ctx.get(...)`), never trust its types (the schema may have failed), and take
positions from the positioned document. `RULES` lists them in the order they run.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import catalog, provider_rules
from .file_checks import FileChecks
from .findings import Finding, Fix, Range, TextEdit, make
from .names import ALL_PROVIDERS, SUPPORTED_PROVIDERS, UNSUPPORTED_PROVIDERS, canonical_provider
from .plugins import supported_providers
from .positioned import MappingNode, Node, PositionedDocument, SequenceNode, deref
from .secret_values import MIN_MASKED_LENGTH, dotenv_values, secret_file_path

if TYPE_CHECKING:
    from .validate import ChoiceIndex

YamlPath = tuple[str | int, ...]

GPU_PROVIDERS = ("docker", "fly", "devpod", "kubernetes")
K8S_NAME_LIMIT = 63
"""DNS-1123 label: Deployment, Service, PVC names and label values."""
FLY_APP_NAME_LIMIT = 63
"""Fly app names become `<name>.fly.dev`, one DNS label."""
NAME_LIMITS = {
    "fly": (FLY_APP_NAME_LIMIT, "a Fly.io app"),
    "docker": (63, "a Docker container's hostname"),
    "devpod": (48, "a DevPod workspace id"),
}
"""Where `name` itself becomes a resource name with a length limit (Kubernetes: see K8S_DERIVED)."""
K8S_DERIVED = ("{name}", "{name}-home-pvc", "{name}-secrets", "{name}-files")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DEVPOD_REMOTE_BACKENDS = ("aws", "gcp", "azure", "digitalocean", "ssh", "kubernetes")
"""Backends where an image built from source must be pushed to a registry to be reachable."""
DISTRO_TAGS = ("fedora", "opensuse")


@dataclass
class RuleContext:
    doc: PositionedDocument
    data: dict[str, Any]
    schema: dict[str, Any]
    source_path: Path | None
    check_files: bool
    files: FileChecks = field(default_factory=FileChecks)
    """The secret files' facts, each asked of the system once in this validation."""

    def get(self, *path: str | int) -> Any:
        """The plain value at path, or None when any step is missing or of another type."""
        value: Any = self.data
        for part in path:
            if isinstance(part, str) and isinstance(value, dict):
                value = value.get(part)
            elif isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
                value = value[part]
            else:
                return None
        return value

    @property
    def provider(self) -> str | None:
        """The chosen provider, canonical (`docker-compose` -> `docker`), when it is a string."""
        value = self.get("deployment", "provider")
        if value not in (*supported_providers(), *UNSUPPORTED_PROVIDERS):
            return None
        return canonical_provider(value)

    def key(self, path: YamlPath) -> Range:
        return self.doc.key_range(path)

    def value(self, path: YamlPath) -> Range:
        return self.doc.value_range(path)


Rule = Callable[[RuleContext], Iterable[Finding]]


_PROPS: dict[int, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {}


def properties_of(sub: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Properties a (sub)schema allows, gathered across allOf/oneOf/anyOf/if/then branches (cached)."""
    cached = _PROPS.get(id(sub))
    if cached is not None and cached[0] is sub:
        return cached[1]
    props = _collect_properties(sub)
    if len(_PROPS) < 10_000:
        _PROPS[id(sub)] = (sub, props)
    return props


def _collect_properties(sub: dict[str, Any]) -> dict[str, dict[str, Any]]:
    props: dict[str, dict[str, Any]] = {}
    stack = [sub]
    while stack:
        node = stack.pop()
        for name, child in node.get("properties", {}).items():
            if isinstance(child, dict) and (name not in props or len(child) > len(props[name])):
                props[name] = child
        for keyword in ("allOf", "oneOf", "anyOf"):
            stack.extend(s for s in node.get(keyword, []) if isinstance(s, dict))
        for keyword in ("then", "else"):
            if isinstance(node.get(keyword), dict):
                stack.append(node[keyword])
    return props


def schema_at(schema: dict[str, Any], path: YamlPath) -> dict[str, Any] | None:
    """The subschema describing the value at path (None where the schema says nothing)."""
    node: dict[str, Any] | None = schema
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            items = node.get("items")
            node = items if isinstance(items, dict) else None
        else:
            props = properties_of(node)
            extra = node.get("additionalProperties")
            node = props.get(part) or (extra if isinstance(extra, dict) else None)
    return node


def conditionals(schema: dict[str, Any], path: YamlPath) -> list[dict[str, Any]]:
    """The if/then pairs (in allOf) of the subschema at path."""
    sub = schema_at(schema, path) or {}
    items = [sub, *[s for s in sub.get("allOf", []) if isinstance(s, dict)]]
    return [s for s in items if "if" in s and "then" in s]


# --- rules -------------------------------------------------------------------------------------------


def unsupported_provider(ctx: RuleContext) -> Iterator[Finding]:
    value = ctx.get("deployment", "provider")
    if value in UNSUPPORTED_PROVIDERS:
        path: YamlPath = ("deployment", "provider")
        yield make(
            "SE301",
            f"provider '{value}' is not supported by this tool; "
            f"supported providers: {', '.join(SUPPORTED_PROVIDERS)}",
            ctx.value(path),
            path,
            data={"supported": list(SUPPORTED_PROVIDERS)},
        )


def gpu_on_e2b(ctx: RuleContext) -> Iterator[Finding]:
    path: YamlPath = ("deployment", "resources", "gpu", "enabled")
    if ctx.provider == "e2b" and ctx.get(*path) is True:
        r = ctx.value(path)
        yield make(
            "SE302",
            f"E2B sandboxes have no GPUs; GPU-capable providers: {', '.join(GPU_PROVIDERS)}",
            r,
            path,
            fixes=(Fix("Disable the GPU", (TextEdit(r, "false"),), preferred=True),),
            data={"gpu_providers": list(GPU_PROVIDERS)},
        )


def other_provider_blocks(ctx: RuleContext) -> Iterator[Finding]:
    chosen = ctx.provider
    blocks = ctx.get("providers")
    if chosen is None or not isinstance(blocks, dict):
        return
    for name in blocks:
        owner = "kubernetes" if name == "k8s" else canonical_provider(name)
        if owner not in (*ALL_PROVIDERS, *UNSUPPORTED_PROVIDERS) or owner == chosen:
            continue
        path: YamlPath = ("providers", name)
        yield make(
            "SE303",
            f"providers.{name} is not used: deployment.provider is {ctx.get('deployment', 'provider')}",
            ctx.key(path),
            path,
        )


def ignored_fields(ctx: RuleContext) -> Iterator[Finding]:
    """Fields whose schema `x-providers` does not include the chosen provider (outermost only)."""
    chosen = ctx.provider
    if chosen not in ALL_PROVIDERS:
        return
    root = deref(ctx.doc.root)
    if not isinstance(root, MappingNode):
        return
    gpu_error = chosen == "e2b" and ctx.get("deployment", "resources", "gpu", "enabled") is True
    stack: list[tuple[MappingNode, YamlPath, dict[str, Any]]] = [(root, (), ctx.schema)]
    while stack:
        node, path, sub = stack.pop()
        props = properties_of(sub)
        for entry in node.entries:
            name = entry.key.text
            child = props.get(name)
            here = (*path, name)
            if child is None:
                continue
            if (
                path == ("providers",)
                and ("kubernetes" if name == "k8s" else canonical_provider(name)) != chosen
            ):
                continue  # the whole block is reported by other_provider_blocks
            if (
                path == ("providers", "devpod")
                and name in provider_rules.DEVPOD_BACKENDS
                and name != ctx.get("providers", "devpod", "type")
            ):
                continue  # the whole block is reported by devpod_backend_options
            users = child.get("x-providers")
            if isinstance(users, list) and chosen not in users:
                if gpu_error and here[:3] == ("deployment", "resources", "gpu"):
                    continue
                if users:
                    why = f"the {chosen} provider ignores it (used by {', '.join(users)})"
                else:
                    why = "no provider of this tool reads it"
                yield make("SE304", f"{_fmt(here)} has no effect: {why}", entry.key.range, here)
                continue
            value = deref(entry.value)
            if isinstance(value, MappingNode):
                stack.append((value, here, child))


def derived_names(ctx: RuleContext) -> Iterator[Finding]:
    name = ctx.get("name")
    chosen = ctx.provider
    if not isinstance(name, str) or not name:
        return
    path: YamlPath = ("name",)
    if chosen == "kubernetes":
        longest = max((t.format(name=name) for t in K8S_DERIVED), key=len)
        if len(longest) > K8S_NAME_LIMIT:
            yield make(
                "SE305",
                f"name is too long for Kubernetes: '{longest}' has {len(longest)} characters, the limit is "
                f"{K8S_NAME_LIMIT}; use at most {K8S_NAME_LIMIT - len(longest) + len(name)} characters",
                ctx.value(path),
                path,
                data={"derived": longest, "limit": K8S_NAME_LIMIT},
            )
    limit, what = NAME_LIMITS.get(chosen or "", (0, ""))
    if limit and len(name) > limit:
        yield make(
            "SE305",
            f"name is too long for {what}: {len(name)} characters, the limit is {limit}",
            ctx.value(path),
            path,
            data={"derived": name, "limit": limit},
        )
    if chosen in ("kubernetes", "fly") and name.endswith("-"):
        yield make(
            "SE313",
            f"name '{name}' ends with '-': {chosen} resource names must end with a letter or digit",
            ctx.value(path),
            path,
        )


def kubernetes_namespace(ctx: RuleContext) -> Iterator[Finding]:
    for path in (
        ("providers", "kubernetes", "namespace"),
        ("providers", "devpod", "kubernetes", "namespace"),
    ):
        value = ctx.get(*path)
        if isinstance(value, str) and (len(value) > K8S_NAME_LIMIT or not DNS_LABEL.match(value)):
            yield make(
                "SE313",
                f"{_fmt(path)} '{value}' is not a valid Kubernetes namespace: lower case letters, digits and "
                f"'-', starting and ending with a letter or digit, at most {K8S_NAME_LIMIT} characters",
                ctx.value(path),
                path,
            )


def secret_files(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.source_path is None:
        return
    secrets = ctx.get("secrets")
    if not isinstance(secrets, list):
        return
    base = ctx.source_path.resolve().parent
    for i, secret in enumerate(secrets):
        if not isinstance(secret, dict):
            continue
        for key in ("path", "fromFile") if secret.get("source") in ("file", "env") else ():
            raw = secret.get(key)
            if key == "path" and secret.get("source") != "file":
                continue
            if not isinstance(raw, str) or not raw:
                continue
            target = secret_file_path(base, raw)
            problem = ctx.files.problem(target)
            if problem is None and key == "fromFile" and ctx.files.is_dir(target):
                problem = "is a folder, not a file"
            path: YamlPath = ("secrets", i, key)
            if problem is not None:
                where = f" (looked in {target.parent})" if problem == "does not exist" else ""
                yield make(
                    "SE306",
                    f"{_fmt(path)}: '{raw}' {problem}{where}",
                    ctx.value(path),
                    path,
                    data={"resolved": str(target)},
                )
            elif not ctx.files.inside(target, str(base)):
                # A cloned repository's config can name ~/.ssh/id_rsa: say so before deploy sends it.
                real = ctx.files.real(target)
                yield make(
                    "SE321",
                    f"{_fmt(path)}: '{raw}' is outside this config's folder ({real}); deploy "
                    "sends its content into the environment. Keep it only if you meant to share that file.",
                    ctx.value(path),
                    path,
                    data={"resolved": real},
                )


def short_secrets(ctx: RuleContext) -> Iterator[Finding]:
    """Env secrets whose value, found in .env, .env.local or fromFile, is too short to be masked.

    The process environment is not read: the finding must not change with the shell or editor
    that validates; the lifecycle commands warn about such a value from wherever it came.
    """
    secrets = ctx.get("secrets")
    if not ctx.check_files or ctx.source_path is None or not isinstance(secrets, list):
        return
    base = ctx.source_path.resolve().parent
    dotenv = dotenv_values(base)
    for i, secret in enumerate(secrets):
        if not isinstance(secret, dict) or secret.get("source") != "env":
            continue
        name, from_file = secret.get("name"), secret.get("fromFile")
        value = dotenv.get(name) if isinstance(name, str) else None
        length, where = (len(value), ".env or .env.local") if value else (None, "")
        if length is None and isinstance(from_file, str) and from_file:
            length, where = ctx.files.value_length(secret_file_path(base, from_file)), f"'{from_file}'"
        if length and length < MIN_MASKED_LENGTH:
            path: YamlPath = ("secrets", i, "name")
            yield make(
                "SE320",
                f"secret {name}: its value in {where} is {length} characters long; output cannot "
                f"mask a value shorter than {MIN_MASKED_LENGTH} characters without garbling every line, "
                "so it may be shown",
                ctx.value(path),
                path,
            )


def extension_names(ctx: RuleContext) -> Iterator[Finding]:
    from .validate import choice_index  # the engine's did-you-mean, shared

    known = catalog.extensions()
    names_known = choice_index(tuple(known))  # prepared once, not once per unknown name
    _reused.next_validation()
    for key in ("active", "additional"):
        names = ctx.get("extensions", key)
        if not isinstance(names, list):
            continue
        listed = ctx.doc.node_at(("extensions", key))
        items = listed.items if isinstance(listed, SequenceNode) and len(listed.items) == len(names) else []
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if not isinstance(name, str):
                continue
            path: YamlPath = ("extensions", key, i)
            item = deref(items[i]) if items else None  # thousands of names: not a walk from the root each
            r = item.range if item is not None else ctx.value(path)
            if name in seen:
                yield make("SE315", f"extension '{name}' is listed twice in extensions.{key}", r, path)
            seen.setdefault(name, i)
            ext = known.get(name)
            if ext is None:
                yield _reused.unknown_name("SE307", "extension", name, names_known, path, r)
            elif ext.deprecated:
                message = f"extension '{name}' is deprecated"
                fixes: tuple[Fix, ...] = ()
                if ext.successor:
                    message += f"; use '{ext.successor}'"
                    fixes = (
                        Fix(f"Change to '{ext.successor}'", (TextEdit(r, ext.successor),), preferred=True),
                    )
                yield make("SE311", message, r, path, fixes=fixes, data={"successor": ext.successor})


def profile_name(ctx: RuleContext) -> Iterator[Finding]:
    name = ctx.get("extensions", "profile")
    known = catalog.profiles()
    if not isinstance(name, str) or name in known:
        return
    path: YamlPath = ("extensions", "profile")
    if name in catalog.upstream_only_profiles():
        yield make(
            "SE308",
            f"profile '{name}' is accepted by upstream's schema but not defined in the extension catalogue: "
            f"it installs nothing; defined profiles: {', '.join(known)}",
            ctx.value(path),
            path,
        )
    # Names outside the schema's enum are reported by the schema check (SC205) with did-you-mean.


class _Reused:
    """The unknown-name findings of the last validation by (code, name, place), for the next one to
    take instead of building them again: findings are values, and a keystroke elsewhere in a document
    that lists thousands of unknown names would otherwise make each again (most of that keystroke's
    validation). Only the last validation's are held."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str, YamlPath, Range], Finding] = {}
        self.now: dict[tuple[str, str, YamlPath, Range], Finding] = {}

    def next_validation(self) -> None:
        self.last, self.now = self.now, {}

    def unknown_name(
        self, code: str, kind: str, name: str, known: ChoiceIndex, path: YamlPath, r: Range
    ) -> Finding:
        key = (code, name, path, r)
        finding = self.last.get(key) or _unknown_name(code, kind, name, known, path, r)
        self.now[key] = finding
        return finding


_reused = _Reused()


def _unknown_name(code: str, kind: str, name: str, known: ChoiceIndex, path: YamlPath, r: Range) -> Finding:
    from .validate import suggest  # the engine's did-you-mean, shared

    candidates = tuple(suggest(name, known))
    message = f"unknown {kind} '{name}': not in the extension catalogue"
    if candidates:
        message += f"; did you mean '{candidates[0]}'?"
    fixes = tuple(Fix(_change_to(c), (TextEdit(r, c),), preferred=i == 0) for i, c in enumerate(candidates))
    return make(code, message, r, path, fixes=fixes, data=_candidates_data(candidates))


# A document can list thousands of unknown names, each with the same few suggestions: the titles and the
# data of their findings are shared (findings are read-only), not kept once per finding.
@functools.cache
def _change_to(name: str) -> str:
    """A fix's title; names come from the catalogue, so the cache is as large as the catalogue at most."""
    return f"Change to '{name}'"


@functools.lru_cache(maxsize=4096)
def _candidates_data(candidates: tuple[str, ...]) -> Mapping[str, Any]:
    return MappingProxyType({"candidates": candidates})


def devpod_build_repository(ctx: RuleContext) -> Iterator[Finding]:
    """A remote DevPod backend runs a configured image as is; only building one needs a registry."""
    if ctx.provider != "devpod":
        return
    kind = ctx.get("providers", "devpod", "type")
    builds = ctx.get("deployment", "buildFromSource", "enabled") is True or not (
        ctx.get("deployment", "image") or ctx.get("deployment", "image_config")
    )
    if kind in DEVPOD_REMOTE_BACKENDS and builds and not ctx.get("providers", "devpod", "buildRepository"):
        path: YamlPath = ("providers", "devpod", "type")
        local = " (a local kind or k3d cluster needs none)" if kind == "kubernetes" else ""
        yield make(
            "SE309",
            f"DevPod backend '{kind}' builds the image and must push it to a registry{local}: set "
            "providers.devpod.buildRepository (such as ghcr.io/ORG/sindri), or deployment.image to run "
            "an existing image",
            ctx.value(path),
            path,
        )


def distro_image_tag(ctx: RuleContext) -> Iterator[Finding]:
    image = ctx.get("deployment", "image")
    distro = ctx.get("deployment", "distro")
    if not isinstance(image, str) or ":" not in image.rsplit("/", 1)[-1]:
        return
    distro = distro if isinstance(distro, str) else "ubuntu"
    tag = image.rsplit(":", 1)[1]
    tagged = next((d for d in DISTRO_TAGS if f"-{d}" in tag), "ubuntu")
    if tagged != distro:
        path: YamlPath = ("deployment", "image")
        yield make(
            "SE310",
            f"deployment.image tag '{tag}' is a {tagged} image but deployment.distro is {distro}",
            ctx.value(path),
            path,
            data={"tag_distro": tagged},
        )


def image_and_image_config(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.get("deployment", "image") is not None and isinstance(ctx.get("deployment", "image_config"), dict):
        path: YamlPath = ("deployment", "image")
        yield make(
            "SE314",
            "deployment.image is ignored: deployment.image_config is set and wins",
            ctx.key(path),
            path,
        )


def duplicate_secrets(ctx: RuleContext) -> Iterator[Finding]:
    secrets = ctx.get("secrets")
    if not isinstance(secrets, list):
        return
    first: dict[str, int] = {}
    for i, secret in enumerate(secrets):
        name = secret.get("name") if isinstance(secret, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            path: YamlPath = ("secrets", i, "name")
            yield make(
                "SE312",
                f"secret '{name}' is declared twice (also secrets[{first[name]}]); the later one wins",
                ctx.value(path),
                path,
                related=((ctx.value(("secrets", first[name], "name")), "first declared here"),),
            )
        else:
            first[name] = i


def duplicate_ports(ctx: RuleContext) -> Iterator[Finding]:
    ports = ctx.get("providers", "docker", "ports")
    if ctx.provider != "docker" or not isinstance(ports, list):
        return
    seen: dict[str, int] = {}
    for i, port in enumerate(ports):
        if not isinstance(port, str) or ":" not in port:
            continue
        host = port.split(":", 1)[0]
        if host in seen:
            path: YamlPath = ("providers", "docker", "ports", i)
            yield make(
                "SE316",
                f"host port {host} is published twice (also ports[{seen[host]}]); "
                "the container would not start",
                ctx.value(path),
                path,
            )
        else:
            seen[host] = i


def yaml11_readings(ctx: RuleContext) -> Iterator[Finding]:
    """Plain values that YAML 1.1 tools read differently from YAML 1.2 (upstream, this tool): a warning
    with a fix that writes the value so both read it the same (quoted text, or a plain number)."""
    if not ctx.doc.yaml11:
        return
    paths = _value_paths(ctx.doc.root)
    for node, reading in ctx.doc.yaml11:
        path = paths.get(id(node))
        if path is None:
            continue  # a key (keys are always text here) or a merged mapping's value
        written = _portable(node.value, node.text, schema_at(ctx.schema, path) or {})
        shown = f"the text '{node.value}'" if isinstance(node.value, str) else f"the number {node.value}"
        yield make(
            "SY111",
            f"'{node.text}' is {shown} in YAML 1.2 (as upstream and this tool read it), but YAML 1.1 "
            f"tools read it as {reading.kind}; write {written} so every reader agrees",
            node.range,
            path,
            fixes=(Fix(f"Write {written}", (TextEdit(node.range, written),), preferred=True),),
            data={"yaml11": reading.kind},
        )


def _portable(value: Any, text: str, sub: dict[str, Any]) -> str:
    """The value written so YAML 1.1 and 1.2 read it alike: text in quotes, numbers in decimal."""
    if isinstance(value, str):
        return json.dumps(text)
    if isinstance(value, float) and value.is_integer() and sub.get("type") == "integer":
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _value_paths(root: Node | None) -> dict[int, YamlPath]:
    """The path of every value node (not keys), by the node's id; aliases are not followed."""
    out: dict[int, YamlPath] = {}
    stack: list[tuple[Node | None, YamlPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is None:
            continue
        out[id(node)] = path
        if isinstance(node, MappingNode):
            stack.extend((entry.value, (*path, entry.key.text)) for entry in node.entries)
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.items))
    return out


RULES: tuple[Rule, ...] = (
    yaml11_readings,
    unsupported_provider,
    gpu_on_e2b,
    other_provider_blocks,
    ignored_fields,
    derived_names,
    kubernetes_namespace,
    secret_files,
    short_secrets,
    extension_names,
    profile_name,
    devpod_build_repository,
    distro_image_tag,
    image_and_image_config,
    duplicate_secrets,
    duplicate_ports,
    provider_rules.ports_in_range,
    provider_rules.resource_amounts,
    provider_rules.devpod_backend_options,
    provider_rules.inactive_mode_settings,
    provider_rules.image_required,
    provider_rules.runpod_pod,
    provider_rules.provider_changes,
    provider_rules.northflank_settings,
)


def run_all(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in RULES:
        out.extend(rule(ctx))
    return out


def _fmt(path: YamlPath) -> str:
    from .validate import fmt_path

    return fmt_path(path)
