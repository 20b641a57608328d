"""Generated and mutated sindri.yaml documents (Hypothesis strategies), and a small synchronous
JSON-RPC client over a server's stdio, shared by the fuzz tests and `bench/fuzz.py`.

Generated documents follow the schema's shape with wrong types, unknown keys, shared (aliased)
subtrees and odd scalars mixed in; mutated ones are real documents with characters inserted, deleted
or replaced (YAML's indicators, tabs, BOM, line separators, control characters).
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [
    (ROOT / "examples" / "local" / "sindri.yaml").read_text(encoding="utf-8"),
    *(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted((ROOT / "tests" / "corpus").glob("*.yaml"))
    ),
]
KEYS = [
    "version", "name", "deployment", "provider", "image", "image_config", "resources", "memory", "cpus",
    "gpu", "enabled", "tier", "volumes", "workspace", "size", "extensions", "profile", "active",
    "additional", "auto_install", "secrets", "source", "required", "fromFile", "path", "mountPath",
    "providers", "docker", "fly", "devpod", "e2b", "kubernetes", "dind", "mode", "ports", "region",
    "namespace", "type", "aws", "<<",
]  # fmt: skip
WORDS = [
    "3.0", "docker", "fly", "devpod", "e2b", "kubernetes", "runpod", "minimal", "nodejs", "python",
    "4GB", "0600", "no", "yes", "~", "null", "env", "file", "vault", "-1", "1e999", "0x10", ".inf",
]  # fmt: skip
ODD = ["\t", "\ufeff", "\u2028", "\x85", "\r", "\r\n", "\x00", "&a ", "*a", "<<: ", "{", "}", "[", "]",
       ": ", "- ", "#", "'", '"', "|", ">", "!!str ", "!tag ", "%YAML 1.2\n", "---\n", "...\n", "?", "@",
       "\U0001f680", "\\", "\n", "  "]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(WORDS),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.text(max_size=30),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12))


def _tree(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6))


@st.composite
def generated(draw: st.DrawFn) -> str:
    """A document shaped like sindri.yaml, with a subtree shared (so YAML writes an anchor and aliases)."""
    shared = draw(st.recursive(scalars, _tree, max_leaves=8))
    body = draw(st.recursive(st.one_of(scalars, st.just(shared)), _tree, max_leaves=30))
    doc: dict[str, Any] = {
        "version": draw(st.sampled_from(["3.0", "3", 3.0, None])),
        "name": draw(st.one_of(st.sampled_from(["demo", "my-env", "Bad Name"]), st.text(max_size=20))),
        "deployment": {"provider": draw(st.sampled_from(WORDS)), "resources": shared},
        "extensions": draw(st.one_of(st.just({"profile": "minimal"}), _tree(scalars))),
        "extra": body,
    }
    for key in draw(st.lists(st.sampled_from(list(doc)), max_size=2)):
        doc.pop(key, None)
    flow = draw(st.sampled_from([False, True, None]))
    try:
        return yaml.safe_dump(
            doc, default_flow_style=flow, allow_unicode=draw(st.booleans()), sort_keys=False
        )
    except yaml.YAMLError:
        return json.dumps(doc, default=str)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A real document with a few characters inserted, deleted or replaced, or lines repeated."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "cut"]))
        piece = draw(st.one_of(st.sampled_from(ODD + KEYS + WORDS), st.text(max_size=4)))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=20)) :]
        elif action == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        elif action == "repeat":
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            line = text[line_start : line_end if line_end >= 0 else len(text)] + "\n"
            text = text[:line_start] + line * draw(st.integers(min_value=2, max_value=50)) + text[line_start:]
        else:
            text = text[:at]
    return text


documents = st.one_of(generated(), mutated())
positions = st.tuples(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=120))


class StdioServer:
    """A language server process driven by raw JSON-RPC frames, synchronously (for Hypothesis tests)."""

    def __init__(self, argv: list[str], settings: dict[str, Any], stderr: Any = subprocess.DEVNULL) -> None:
        self.settings = settings
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        self._ids = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def initialize(self, root: Path) -> None:
        caps = {"workspace": {"configuration": True}, "window": {"showDocument": {"support": False}}}
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": caps}
        self.request("initialize", params, timeout=60)
        self.notify("initialized", {})

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float) -> dict[str, Any]:
        """The reply message (with `result` or `error`); raises TimeoutError when none comes in time."""
        with self._lock:
            self._ids += 1
            msg_id = self._ids
            box: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)
            self._replies[msg_id] = box
        self._write({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        try:
            return box.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no reply to {method} within {timeout}s") from None
        finally:
            with self._lock:
                self._replies.pop(msg_id, None)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        try:
            if self.alive():
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.proc.wait(timeout=10)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        with self._lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            self.proc.stdin.flush()

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        while True:
            length = None
            while (line := stdout.readline()).strip():
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                return
            message = json.loads(stdout.read(length))
            if "method" in message and "id" in message:
                self._answer(message)
            elif "id" in message and "method" not in message:
                with self._lock:
                    box = self._replies.get(message["id"])
                if box is not None:
                    box.put(message)

    def _answer(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self.settings for _ in message["params"]["items"]]
        self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})


def exercise(
    server: StdioServer, uri: str, text: str, spots: list[tuple[int, int]], timeout: float,
    on_reply: Callable[[str, dict[str, Any]], None],
) -> None:  # fmt: skip
    """Open `text`, ask every feature about it (outline, lenses, actions, hover and completion at
    `spots`), then close it; each reply goes to `on_reply(method, reply)`."""
    doc = {"textDocument": {"uri": uri}}
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {**doc["textDocument"], "languageId": "yaml", "version": 1, "text": text}},
    )
    requests: list[tuple[str, Any]] = [
        ("textDocument/documentSymbol", doc),
        ("textDocument/codeLens", doc),
    ]
    for line, character in spots:
        at = {"line": line, "character": character}
        requests += [
            ("textDocument/hover", {**doc, "position": at}),
            ("textDocument/completion", {**doc, "position": at}),
            (
                "textDocument/codeAction",
                {**doc, "range": {"start": at, "end": at}, "context": {"diagnostics": []}},
            ),
        ]
    requests.append(("workspace/executeCommand", {"command": "sindri.validate", "arguments": [uri]}))
    for method, params in requests:
        on_reply(method, server.request(method, params, timeout))
    server.notify("textDocument/didClose", doc)
