"""The validation engine: sindri.yaml text in, positioned findings out, never an exception.

Pipeline: positioned YAML (syntax, duplicates, hostile input) -> unknown keys (a walk of the document
beside the schema) -> JSON Schema (the generated schema, validator compiled once) with each error
mapped to the offending key or value -> semantic rules (`rules.py`) -> the pydantic model, built only
when no error-level finding remains.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

from . import rules, shipped
from .findings import Finding, Fix, Position, Range, Severity, TextEdit, make
from .model import SindriConfig
from .plugins import plugin_description, plugin_providers
from .positioned import (
    MappingNode,
    Node,
    PositionedDocument,
    ScalarNode,
    SequenceNode,
    deref,
    parse,
)

YamlPath = tuple[str | int, ...]

# Spellings people write for a key, beyond what difflib finds: key -> the real key.
KEY_ALIASES = {
    "autoInstall": "auto_install",
    "autoinstall": "auto_install",
    "imageConfig": "image_config",
    "build_from_source": "buildFromSource",
    "build": "buildFromSource",
    "resouces": "resources",
    "resource": "resources",
    "extension": "extensions",
    "secret": "secrets",
    "provider": "providers",
    "volume": "volumes",
}
# Values people write for an enum, beyond what difflib finds.
VALUE_ALIASES = {"k8s": "kubernetes", "compose": "docker-compose", "fly.io": "fly", "flyio": "fly"}
# Friendlier words for the schema's patterns.
PATTERN_HINTS = {
    r"^\d+(MB|GB)$": "a whole number followed by MB or GB, e.g. 4GB or 512MB",
    r"^\d+(GB|MB)$": "a whole number followed by GB or MB, e.g. 16GB",
    r"^[a-z][a-z0-9-]*$": "lower case letters, digits and '-', starting with a letter",
    r"^\d+\.\d+$": 'a quoted version such as "3.0"',
    r"^[A-Z][A-Z0-9_]*$": "upper case letters, digits and '_', starting with a letter",
    r"^0[0-7]{3}$": 'an octal file mode in quotes, e.g. "0600"',
    r"^\d+:\d+$": "HOST:CONTAINER port numbers, e.g. 3000:3000",
    r"^v?\d+\.\d+\.\d+$": "a version such as v1.35.0",
    r"^[A-Z]{2}-[A-Z]{2,4}-\d+$": "a RunPod data centre id such as EU-RO-1 or US-TX-3 (not a bare US/EU)",
}
PLACEHOLDERS: dict[str, Any] = {
    "version": "3.0",
    "name": "my-environment",
    "provider": "docker",
    "path": "./secrets/FILE",
    "mountPath": "/alt/home/developer/.secrets/FILE",
    "vaultPath": "sindri/app",
    "vaultKey": "value",
    "registry": "ghcr.io/pacphi/sindri",
    "source": "env",
}
_BOOLEAN_WORDS = {
    "true": True,
    "yes": True,
    "on": True,
    "y": True,
    "false": False,
    "no": False,
    "off": False,
    "n": False,
}
"""Words YAML 1.1 reads as booleans (text in YAML 1.2), for the 'Change to true/false' fix."""
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of keys",
    "array": "a list",
    "null": "empty",
}


@dataclass
class ValidationResult:
    findings: list[Finding]
    document: PositionedDocument | None
    config: SindriConfig | None
    """Set only when there is no error-level finding."""

    @property
    def ok(self) -> bool:
        return not any(f.severity == Severity.ERROR for f in self.findings)

    def __iter__(self) -> Iterator[Finding]:
        """Iterating a result iterates its findings."""
        return iter(self.findings)


@functools.cache
def schema() -> dict[str, Any]:
    """The generated JSON Schema of sindri.yaml, plus the installed plugin providers among the choices
    of `deployment.provider` (shared: do not modify)."""
    s = shipped.json_schema()
    provider = s["properties"]["deployment"]["properties"]["provider"]
    for name in plugin_providers():
        provider["enum"].append(name)
        provider["enumDescriptions"].append(plugin_description(name))
    return s


def _schema_errors(data: Any) -> Iterator[ValidationError]:
    """JSON Schema errors of the document. pydantic-core checks the same constraints (the schema is
    generated from the model, and tests/validate keep the two verdicts equal) in a fraction of the
    time, so a document the model accepts skips jsonschema's slow walk; otherwise jsonschema lists
    every error with its path."""
    try:
        SindriConfig.model_validate(data)
        return
    except pydantic.ValidationError as exc:
        items = _failing_items(exc, data)
    except (ValueError, TypeError):
        items = None
    if items is None:
        yield from schema_validator().iter_errors(data)
        return
    # Only list items failed (a bad secret among thousands): check just those items, and report
    # each error at its place in the whole document.
    for key, index in sorted(items):
        for error in _item_validator(key).iter_errors(data[key][index]):
            error.path.extendleft([index, key])
            error.relative_schema_path.extendleft(["items", key, "properties"])
            yield error


def _failing_items(exc: pydantic.ValidationError, data: Any) -> set[tuple[str, int]] | None:
    """The top-level list items the model rejected, when every error lies inside one; else None."""
    found: set[tuple[str, int]] = set()
    for error in exc.errors():
        loc = error["loc"]
        if len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
            return None
        items = schema()["properties"].get(loc[0], {}).get("items")
        if not isinstance(items, dict) or not isinstance(data.get(loc[0]), list):
            return None
        found.add((loc[0], loc[1]))
    return found or None


@functools.cache
def _item_validator(key: str) -> jsonschema.protocols.Validator:
    return schema_validator().evolve(schema=schema()["properties"][key]["items"])


@functools.cache
def schema_validator() -> jsonschema.protocols.Validator:
    """The JSON Schema validator of sindri.yaml, with `pattern` read as JSON Schema means it."""
    import jsonschema  # only once the model rejected a document: keeps ~50 ms off every start

    s = schema()
    base = jsonschema.validators.validator_for(s, default=jsonschema.Draft7Validator)
    cls = jsonschema.validators.extend(base, {"pattern": _pattern_keyword})  # type: ignore[no-untyped-call]
    validator: jsonschema.protocols.Validator = cls(s, format_checker=None)
    return validator


def _pattern_keyword(
    validator: jsonschema.protocols.Validator, pattern: str, instance: Any, sub: dict[str, Any]
) -> Iterator[ValidationError]:
    """`pattern` as JSON Schema (ECMA-262) reads it: `$` is the end of the value. Python's `$` also
    matches before a final line break, so `name: "env\n"` passed and named a lock file with a newline."""
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str) and _ecma_pattern(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _ecma_pattern(pattern: str) -> re.Pattern[str]:
    ends = pattern.endswith("$") and not pattern.endswith("\\$")
    return re.compile(pattern[:-1] + r"\Z" if ends else pattern)


def validate_text(
    text: str | bytes, *, source_path: Path | None = None, check_files: bool = True
) -> ValidationResult:
    """Validate sindri.yaml text; every problem is a finding, nothing is raised."""
    doc: PositionedDocument | None = None
    try:
        doc = parse(text)
        findings = list(doc.findings)
        if not any(f.severity == Severity.ERROR for f in findings) or doc.root is not None:
            findings.extend(_check(doc, source_path, check_files))
        findings = _portability_after_errors(_dedupe(findings))
        findings.sort(key=lambda f: (f.range.start.line, f.range.start.character, f.code))
        config = None
        if not any(f.severity == Severity.ERROR for f in findings) and doc.root is not None:
            config, extra = _build_model(doc)
            findings.extend(extra)
        return ValidationResult(findings, doc, config)
    except Exception as exc:  # the engine runs on every keystroke: a bug must not take the editor down
        finding = make(
            "SC299",
            f"internal error while validating ({type(exc).__name__}: {exc}); please report it",
            Range.of(0, 0, 0, 0),
            (),
        )
        return ValidationResult([finding], doc, None)


def _check(doc: PositionedDocument, source_path: Path | None, check_files: bool) -> list[Finding]:
    root = deref(doc.root)
    if root is None or (isinstance(root, ScalarNode) and root.value is None):
        if any(f.severity == Severity.ERROR for f in doc.findings):
            return []
        return [_empty(doc)]
    if not isinstance(root, MappingNode):
        return [
            make(
                "SC204",
                "the configuration must be a mapping of keys (version, name, deployment, extensions), "
                f"not {_kind(doc.to_python())}",
                doc.start_range(),
                (),
            )
        ]
    data = doc.to_python()
    out = list(_unknown_keys(doc, root, (), schema()))
    for error in _schema_errors(data):
        out.extend(_map_error(doc, error))
    ctx = rules.RuleContext(
        doc=doc, data=data, schema=schema(), source_path=source_path, check_files=check_files
    )
    out.extend(rules.run_all(ctx))
    return out


def _empty(doc: PositionedDocument) -> Finding:
    end_line = len(doc.lines) - 1
    end = Position(end_line, len(doc.lines[end_line]))
    lead = "\n" if doc.lines[end_line].strip() else ""
    skeleton = (
        f'{lead}version: "3.0"\nname: my-environment\n'
        "deployment:\n  provider: docker\nextensions:\n  profile: minimal\n"
    )
    return make(
        "SC201",
        "empty configuration: sindri.yaml needs at least version, name, deployment and extensions",
        Range.of(0, 0, 0, 0),
        (),
        fixes=(
            Fix("Insert a minimal configuration", (TextEdit(Range(end, end), skeleton),), preferred=True),
        ),
    )


def _build_model(doc: PositionedDocument) -> tuple[SindriConfig | None, list[Finding]]:
    try:
        return SindriConfig.model_validate(doc.to_python()), []
    except pydantic.ValidationError as exc:
        out = []
        for err in exc.errors():
            path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            out.append(make("SC209", f"{fmt_path(path)}: {err['msg']}", _focus(doc, path), path))
        return None, out


# --- unknown keys ------------------------------------------------------------------------------------


def _unknown_keys(
    doc: PositionedDocument, node: Node, path: YamlPath, sub: dict[str, Any] | None
) -> Iterator[Finding]:
    node = deref(node)  # type: ignore[assignment]
    if sub is None:
        return
    if isinstance(node, SequenceNode):
        items = sub.get("items")
        for i, item in enumerate(node.items):
            yield from _unknown_keys(doc, item, (*path, i), items if isinstance(items, dict) else None)
        return
    if not isinstance(node, MappingNode):
        return
    known = rules.properties_of(sub)
    extra = sub.get("additionalProperties", True)
    for entry in node.entries:
        key = entry.key.text
        if key in known:
            yield from _unknown_keys(doc, entry.value, (*path, key), known[key])
        elif isinstance(extra, dict):
            yield from _unknown_keys(doc, entry.value, (*path, key), extra)
        elif known or extra is False:
            yield _unknown_key(doc, entry.key, path, key, list(known), strict=extra is False)


def _unknown_key(
    doc: PositionedDocument,
    key_node: ScalarNode,
    parent: YamlPath,
    key: str,
    known: list[str],
    *,
    strict: bool,
) -> Finding:
    where = fmt_path(parent) or "the top level"
    candidates = suggest(key, known, KEY_ALIASES)
    message = f"unknown key '{key}' in {where}"
    if candidates:
        message += f"; did you mean '{candidates[0]}'?"
    elif known:
        message += f"; expected one of: {', '.join(known)}."
    message += " It is not allowed here." if strict else " It is ignored."
    fixes = tuple(
        Fix(f"Rename to '{c}'", (TextEdit(key_node.range, c),), preferred=i == 0)
        for i, c in enumerate(candidates)
    )
    return make(
        "SC202",
        message,
        key_node.range,
        (*parent, key),
        severity=Severity.ERROR if strict else Severity.WARNING,
        fixes=fixes,
        data={"key": key, "candidates": candidates, "allowed": known},
    )


def suggest(
    word: str,
    choices: Iterable[str] | ChoiceIndex,
    aliases: dict[str, str] | None = None,
    n: int = 3,
) -> list[str]:
    """Did-you-mean candidates, best first: aliases, same letters ignoring case and `_-`, then similar
    spellings (difflib's ratio, computed by rapidfuzz)."""
    if isinstance(choices, ChoiceIndex):
        index = choices
    else:
        index = choice_index(choices if isinstance(choices, tuple) else tuple(choices))
    out: list[str] = []
    if aliases and word in aliases and aliases[word] in index.options:
        out.append(aliases[word])
    out += [c for c in index.candidates(word, n) if c not in out]
    return out[:n]


@dataclass(frozen=True, eq=False)
class ChoiceIndex:
    """Choices prepared for did-you-mean, with the similar spellings found so far: each keystroke
    validates the same unknown names again, and their look-ups were most of its cost."""

    options: frozenset[str]
    normalized: dict[str, tuple[str, ...]]
    lowered: list[str]
    original: dict[str, str]
    found: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)

    def candidates(self, word: str, n: int) -> tuple[str, ...]:
        """Choices with the same letters ignoring case and `_-`, then up to n spelled like `word`, best
        first. rapidfuzz's ratio is difflib's (2 * matches / total length) in C."""
        key = (word, n)
        found = self.found.get(key)
        if found is None:
            if len(self.found) >= SIMILAR_MEMO:
                self.found.clear()
            same = self.normalized.get(_normalize(word), ())
            from rapidfuzz import fuzz, process  # loaded at the first unknown word, not at every start

            matches = process.extract(word.lower(), self.lowered, scorer=fuzz.ratio, score_cutoff=60, limit=n)
            similar = [self.original[match] for match, _score, _ in matches]
            found = self.found[key] = tuple(dict.fromkeys([*same, *similar]))
        return found


SIMILAR_MEMO = 10_000
"""Words whose candidates an index remembers (a few hundred kilobytes at most)."""


def _normalize(s: str) -> str:
    return _SEPARATORS.sub("", s.lower())


_SEPARATORS = re.compile(r"[-_ .]")


@functools.lru_cache(maxsize=256)
def choice_index(options: tuple[str, ...]) -> ChoiceIndex:
    """The choices prepared once (a schema's keys, the catalogue's names), not once per finding."""
    normalized: dict[str, tuple[str, ...]] = {}
    for c in options:
        normalized[_normalize(c)] = (*normalized.get(_normalize(c), ()), c)
    original = {c.lower(): c for c in options}
    return ChoiceIndex(frozenset(options), normalized, list(original), original)


# --- JSON Schema errors ------------------------------------------------------------------------------


def _map_error(doc: PositionedDocument, error: ValidationError) -> list[Finding]:
    path: YamlPath = tuple(error.absolute_path)
    kind = error.validator
    where = fmt_path(path) or "the configuration"
    if kind == "additionalProperties":
        return []  # reported by the unknown-key walk, with did-you-mean
    if kind == "required":
        return _missing(doc, error, path)
    if kind in ("oneOf", "anyOf"):
        if path == ("extensions",):
            return [_extensions_shape(doc, error.instance)]
        if error.context:
            from jsonschema.exceptions import best_match

            return _map_error(doc, best_match(error.context))
        return [make("SC209", f"{where}: {error.message}", _focus(doc, path), path)]
    if kind in ("enum", "const"):
        expected: Any = error.validator_value
        allowed = list(expected) if kind == "enum" else [expected]
        return [_bad_value(doc, path, error.instance, allowed)]
    if kind == "type":
        if error.instance is None and isinstance(error.schema, dict) and "enum" in error.schema:
            return []  # an empty value of a choice: the enum finding says it once, with the choices
        return [_wrong_type(doc, path, error.instance, error.validator_value)]
    if kind == "pattern":
        return [_bad_pattern(doc, path, error.instance, str(error.validator_value))]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        bounds = _bounds(error.schema)
        message = (
            f"{where} must be {words[str(kind)]} {error.validator_value}{bounds}, not {error.instance!r}"
        )
        return [make("SC207", message, _focus(doc, path), path, data={"bound": error.validator_value})]
    if kind in ("minItems", "maxItems", "minLength", "maxLength"):
        return [make("SC207", f"{where}: {error.message}", _focus(doc, path), path)]
    return [make("SC209", f"{where}: {error.message}", _focus(doc, path), path)]


def _bounds(sub: Any) -> str:
    if isinstance(sub, dict) and "minimum" in sub and "maximum" in sub:
        return f" (allowed {sub['minimum']}..{sub['maximum']})"
    return ""


def _missing(doc: PositionedDocument, error: ValidationError, path: YamlPath) -> list[Finding]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    condition = _condition(error)
    out = []
    required: Any = error.validator_value
    for key in required:
        if key in instance:
            continue
        where = fmt_path(path) or "the configuration"
        message = f"{where} is missing the required key '{key}'{condition}"
        sub = rules.properties_of(error.schema if isinstance(error.schema, dict) else {}).get(key, {})
        fix = _insert_key_fix(doc, path, key, sub)
        out.append(
            make(
                "SC203",
                message,
                doc.key_range(path),
                (*path, key),
                fixes=(fix,) if fix else (),
                data={"key": key},
            )
        )
    return out


def _condition(error: ValidationError) -> str:
    """' (required when source is file)' for a `then` branch of an if/then."""
    schema_path = list(error.relative_schema_path)
    parent = error.parent
    if "then" not in schema_path and parent is None:
        return ""
    # jsonschema gives the `then` subschema; the `if` is beside it in the enclosing allOf item.
    for item in rules.conditionals(schema(), tuple(error.absolute_path)):
        if item.get("then", {}).get("required") == error.validator_value:
            props = item.get("if", {}).get("properties", {})
            parts = [f"{k} is {v['const']}" for k, v in props.items() if isinstance(v, dict) and "const" in v]
            if parts:
                return f" (required when {' and '.join(parts)})"
    return ""


def _extensions_shape(doc: PositionedDocument, value: Any) -> Finding:
    path: YamlPath = ("extensions",)
    data = value if isinstance(value, dict) else {}
    has = {k for k in ("profile", "active", "additional") if k in data}
    fixes: tuple[Fix, ...] = ()
    if {"profile", "active"} <= has:
        message = "extensions: set either 'profile' (optionally with 'additional') or 'active', not both"
        r = doc.key_range(("extensions", "active"))
        fixes = tuple(
            f
            for f in (_remove_key_fix(doc, ("extensions", k)) for k in ("active", "profile"))
            if f is not None
        )
    elif {"active", "additional"} <= has:
        message = (
            "extensions: 'additional' only combines with 'profile'; with 'active', list every extension there"
        )
        r = doc.key_range(("extensions", "additional"))
        fix = _remove_key_fix(doc, ("extensions", "additional"))
        fixes = (fix,) if fix else ()
    else:
        message = "extensions needs a 'profile' (optionally with 'additional') or an 'active' list"
        if "additional" in has:
            message += "; 'additional' alone installs nothing"
        r = doc.key_range(path)
        fix = _insert_key_fix(doc, path, "profile", {"enum": ["minimal"]})
        fixes = (fix,) if fix else ()
    return make("SC208", message, r, path, fixes=fixes, data={"keys": sorted(has)})


def _bad_value(doc: PositionedDocument, path: YamlPath, value: Any, allowed: list[Any]) -> Finding:
    where = fmt_path(path)
    shown = ", ".join(str(a) for a in allowed)
    candidates = (
        suggest(str(value), [str(a) for a in allowed], VALUE_ALIASES) if isinstance(value, str) else []
    )
    message = (
        f"{where} is empty; allowed values: {shown}"
        if value is None
        else f"{where}: {_show(value)} is not allowed; allowed values: {shown}"
    )
    if candidates:
        message += f". Did you mean '{candidates[0]}'?"
    r = _focus(doc, path)
    fixes = tuple(
        Fix(f"Change to '{c}'", (TextEdit(r, _yaml_scalar(c)),), preferred=i == 0)
        for i, c in enumerate(candidates)
    )
    return make("SC205", message, r, path, fixes=fixes, data={"allowed": allowed, "candidates": candidates})


def _wrong_type(doc: PositionedDocument, path: YamlPath, value: Any, expected: Any) -> Finding:
    types = [expected] if isinstance(expected, str) else list(expected)
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
    where = fmt_path(path) or "the configuration"
    message = f"{where} must be {words}, not {_kind(value)}"
    r = _focus(doc, path)
    node = doc.node_at(path)
    fixes: list[Fix] = []
    if isinstance(node, ScalarNode):
        if "string" in types and node.plain and value is not None:
            message += f'; write it in quotes: "{node.text}"'
            fixes.append(Fix("Quote the value", (TextEdit(r, json.dumps(node.text)),), preferred=True))
        elif "integer" in types and isinstance(value, str) and re.fullmatch(r"\d+", value):
            number = str(int(value))  # `022` is text in YAML 1.2: drop the leading zeros too
            title = "Remove the quotes" if number == value else f"Change to {number}"
            fixes.append(Fix(title, (TextEdit(r, number),), preferred=True))
        elif "boolean" in types and isinstance(value, str) and value.lower() in _BOOLEAN_WORDS:
            new = "true" if _BOOLEAN_WORDS[value.lower()] else "false"
            if node.plain and value.lower() not in ("true", "false"):
                message += f"; YAML 1.2 (as upstream reads it) has only true and false, so '{value}' is text"
            fixes.append(Fix(f"Change to {new}", (TextEdit(r, new),), preferred=True))
        elif "array" in types and isinstance(value, str):
            fixes.append(Fix("Make it a list", (TextEdit(r, f"[{_yaml_scalar(value)}]"),), preferred=True))
    return make("SC204", message, r, path, fixes=tuple(fixes), data={"expected": types})


def _bad_pattern(doc: PositionedDocument, path: YamlPath, value: Any, pattern: str) -> Finding:
    where = fmt_path(path)
    hint = PATTERN_HINTS.get(pattern, f"text matching {pattern}")
    message = f"{where}: {_show(value)} is not valid; expected {hint}"
    r = _focus(doc, path)
    fixed = _repair(str(value), pattern)
    fixes = (Fix(f"Change to {fixed}", (TextEdit(r, _yaml_scalar(fixed)),), preferred=True),) if fixed else ()
    return make("SC206", message, r, path, fixes=fixes, data={"pattern": pattern})


def _repair(value: str, pattern: str) -> str | None:
    """A value that matches `pattern` and is what the user most likely meant, if there is one."""
    candidate: str | None = None
    if pattern in (r"^\d+(MB|GB)$", r"^\d+(GB|MB)$"):
        m = re.fullmatch(r"\s*(\d+)\s*([MmGg])(?:i?[Bb]?)?\s*", value)
        candidate = f"{m.group(1)}{m.group(2).upper()}B" if m else None
    elif pattern == r"^[a-z][a-z0-9-]*$":
        candidate = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")
        candidate = re.sub(r"^[^a-z]+", "", candidate)
    elif pattern == r"^[A-Z][A-Z0-9_]*$":
        candidate = re.sub(r"[^A-Z0-9_]+", "_", value.upper()).strip("_")
        candidate = re.sub(r"^[^A-Z]+", "", candidate)
    elif pattern == r"^\d+\.\d+$" and re.fullmatch(r"\d+", value):
        candidate = f"{value}.0"
    if candidate and candidate != value and re.search(pattern, candidate):
        return candidate
    return None


# --- fixes -------------------------------------------------------------------------------------------


def _insert_key_fix(doc: PositionedDocument, path: YamlPath, key: str, sub: dict[str, Any]) -> Fix | None:
    """Insert `key: <placeholder>` as the last entry of the mapping at path, indented like its siblings."""
    node = doc.node_at(path)
    if not isinstance(node, MappingNode):
        return None
    value = placeholder(key, sub)
    if node.flow:
        end = node.range.end
        at = Position(end.line, max(end.character - 1, 0))
        sep = ", " if node.entries else ""
        text = f"{sep}{key}: {json.dumps(value) if not isinstance(value, str) else _yaml_scalar(value)}"
        return Fix(f"Add '{key}'", (TextEdit(Range(at, at), text),), preferred=True)
    if node.entries:
        indent = node.entries[0].key.sc
        last = node.entries[-1].value
        end_line = last.el if last.ec == 0 and last.el > last.sl else last.el + 1
    else:
        indent, end_line = node.sc, node.sl + 1
    body = _yaml_block(key, value, indent).replace("\n", doc.newline)
    if end_line >= len(doc.lines):  # the mapping runs to the end of a file without a final newline
        last_line = len(doc.lines) - 1
        at = Position(last_line, len(doc.lines[last_line]))
        text = doc.newline + body.removesuffix(doc.newline)
        return Fix(f"Add '{key}'", (TextEdit(Range(at, at), text),), preferred=True)
    at = Position(end_line, 0)
    return Fix(f"Add '{key}'", (TextEdit(Range(at, at), body),), preferred=True)


def _remove_key_fix(doc: PositionedDocument, path: YamlPath) -> Fix | None:
    entry = doc.entry_at(path)
    if entry is None:
        return None
    end = entry.value
    end_line = end.el if end.ec == 0 and end.el > entry.key.sl else end.el + 1
    if end_line >= len(doc.lines):
        r = Range(Position(entry.key.sl, 0), Position(len(doc.lines) - 1, len(doc.lines[-1])))
    else:
        r = Range(Position(entry.key.sl, 0), Position(end_line, 0))
    return Fix(f"Remove '{path[-1]}'", (TextEdit(r, ""),))


def placeholder(key: str, sub: dict[str, Any]) -> Any:
    """A sensible value for a key being inserted (never null)."""
    if key in PLACEHOLDERS:
        return PLACEHOLDERS[key]
    if sub.get("default") is not None:
        return sub["default"]
    if sub.get("enum"):
        return sub["enum"][0]
    kind = sub.get("type")
    if kind == "object" or "properties" in sub:
        required = sub.get("required", [])
        props = rules.properties_of(sub)
        if not required and "profile" in props:
            return {"profile": "minimal"}
        return {k: placeholder(k, props.get(k, {})) for k in required}
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return sub.get("minimum", 0)
    return ""


def _yaml_block(key: str, value: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return f"{pad}{key}: {{}}\n"
        return f"{pad}{key}:\n" + "".join(_yaml_block(k, v, indent + 2) for k, v in value.items())
    if isinstance(value, list):
        return f"{pad}{key}: [{', '.join(_yaml_scalar(v) for v in value)}]\n"
    return f"{pad}{key}: {_yaml_scalar(value)}\n"


_PLAIN_SAFE = re.compile(r"[A-Za-z_./][A-Za-z0-9_./@-]*")
_NOT_STRINGS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _yaml_scalar(value: Any) -> str:
    """A value as YAML text that reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN_SAFE.fullmatch(text) and text.lower() not in _NOT_STRINGS:
        return text
    return json.dumps(text)


# --- helpers -----------------------------------------------------------------------------------------


def fmt_path(path: YamlPath) -> str:
    """`secrets[0].path` style."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _focus(doc: PositionedDocument, path: YamlPath) -> Range:
    """The value's range when it is short (scalar, flow collection); the key's for a block collection."""
    node = doc.node_at(path)
    if isinstance(node, ScalarNode) and node.plain and not node.text:
        return doc.key_range(path)  # an empty value: point at its key
    if isinstance(node, ScalarNode) or (isinstance(node, (MappingNode, SequenceNode)) and node.flow):
        entry = doc.entry_at(path)
        if entry is not None and deref(entry.value) is not entry.value:
            return entry.value.range  # an alias: point at the *ref, not the anchor
        return node.range
    return doc.key_range(path)


SHOWN_CHARACTERS = 80
"""A value quoted in a message is cut to this length: the range already points at all of it."""


def _show(value: Any) -> str:
    text = (
        (f"'{value}'" if value.isprintable() else json.dumps(value))
        if isinstance(value, str)
        else json.dumps(value)
    )
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value}')"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _portability_after_errors(findings: list[Finding]) -> list[Finding]:
    """A YAML 1.1 reading (SY111) where the 1.2 value is already an error says nothing more: the
    error's own fix (`yes` -> true where a boolean is expected) is the one to apply."""
    if not any(f.code == "SY111" for f in findings):
        return findings
    errors = {f.range for f in findings if f.severity == Severity.ERROR}
    return [f for f in findings if f.code != "SY111" or f.range not in errors]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, Range, str]] = set()
    out = []
    for f in findings:
        key = (f.code, f.range, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
