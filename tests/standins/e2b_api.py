#!/usr/bin/env python3
"""A loopback stand-in of the E2B REST API and of envd's process service, for the real `e2b` SDK.

Shapes follow ../shared/schemas/e2b/openapi.yml (Sandbox, ListedSandbox, SandboxDetail, Template,
TemplateRequestResponseV3, TemplateBuildInfo, Error) and tool-contracts.md section 5.3. Point the SDK
at it with `E2B_API_URL=http://127.0.0.1:<port>` (control plane) and `E2B_SANDBOX_URL` = the same URL
(envd: `/process.Process/*`, connect-rpc served by the SDK's own generated WSGI application, so the
SDK's `commands.run` goes over the real protocol). A command "in the sandbox" runs as a local
`/bin/bash -l -c CMD` with the sandbox's env vars: enough to prove argv, env, output and exit codes
travel end to end.

Failure knobs (attributes of `E2bApi`, or env vars when run as a script, or `POST /_standin/knobs`
with a JSON object): `fail` = "500" | "garbage" | "401" | "slow" | "" , `slow_seconds` (default 30),
`fail_paths` (path prefixes the failure applies to; empty = every API path).

Run as a script: `python tests/standins/e2b_api.py --port-file F [--state-file S]` writes the port to F
once listening; the sandboxes survive in S (JSON) so separate processes can inspect them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from e2b.envd.process import process_pb as pb
from e2b.envd.process.process_connect import ProcessWSGIApplication
from protobuf import Oneof

DEFAULT_KEY = "e2b_standin_0123456789abcdef"
ENVD_VERSION = "0.5.4"
StartResponse = Callable[..., Any]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _rand(n: int = 20) -> str:
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


class _Status(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class E2bApi:
    """State (sandboxes, templates, builds) plus the WSGI app answering the SDK."""

    def __init__(self, api_keys: Iterable[str] = (DEFAULT_KEY,), state_file: Path | None = None) -> None:
        self.api_keys = set(api_keys)
        self.state_file = state_file
        self.lock = threading.Lock()
        self.sandboxes: dict[str, dict[str, Any]] = {}
        self.templates: dict[str, dict[str, Any]] = {}
        self.builds: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail = ""
        self.slow_seconds = 30.0
        self.fail_paths: list[str] = []
        self.envd = ProcessWSGIApplication(_ProcessService(self))

    # -- plumbing -----------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        method: str = environ["REQUEST_METHOD"]
        if path.startswith("/process.Process/"):
            _dechunk(environ)
            result: Iterable[bytes] = self.envd(environ, start)
            return result
        with self.lock:
            self.requests.append((method, path))
        if path == "/files" and method == "POST":
            _dechunk(environ)
            return self._write_files(environ, start)
        if path == "/_standin/knobs" and method == "POST":
            knobs = json.loads(_body(environ) or b"{}")
            for key in ("fail", "slow_seconds", "fail_paths"):
                if key in knobs:
                    setattr(self, key, knobs[key])
            return _reply(start, 204, None)
        if path == "/_standin/state":
            with self.lock:
                return _reply(start, 200, {"sandboxes": self.sandboxes, "templates": self.templates})
        if self.fail and (not self.fail_paths or any(path.startswith(p) for p in self.fail_paths)):
            if self.fail == "slow":
                time.sleep(self.slow_seconds)
            elif self.fail == "500":
                return _reply(start, 500, {"code": 500, "message": "internal server error"})
            elif self.fail == "garbage":
                start("200 OK", [("Content-Type", "application/json")])
                return [b"<html>502 Bad Gateway</html> {not json"]
            elif self.fail == "401":
                return _reply(start, 401, {"code": 401, "message": "Invalid API key"})
        if path == "/health":
            return _reply(start, 200, {"message": "Health check successful"})
        if environ.get("HTTP_X_API_KEY") not in self.api_keys:
            return _reply(start, 401, {"code": 401, "message": "Invalid API key, it must start with 'e2b_'"})
        query = parse_qs(environ.get("QUERY_STRING", ""))
        try:
            raw = _body(environ)
            body = json.loads(raw) if raw else {}
            with self.lock:
                status, payload = self._route(method, path, query, body)
                self._save()
        except _Status as err:
            return _reply(start, err.code, {"code": err.code, "message": err.message})
        return _reply(start, status, payload)

    def _write_files(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        """envd's `POST /files` (envd.yaml): `?path=&username=`, a multipart/form-data body (a `file`
        part per file, its filename the path when several) or, from envd 0.5.7, octet-stream; replies
        the written entries `[{"name", "type", "path"}]`. Here the "sandbox" is the local machine."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        ctype = environ.get("CONTENT_TYPE", "")
        body = _body(environ)
        given = query.get("path", [""])[0]
        if ctype.startswith("application/octet-stream"):
            entries = [(given, body)]
        elif ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            parts = list(message.iter_parts()) if isinstance(message, EmailMessage) else []
            entries = [
                (given or str(part.get_filename() or ""), part.get_payload(decode=True)) for part in parts
            ]
        else:
            return _reply(start, 400, {"code": 400, "message": f"unsupported content type {ctype}"})
        written = []
        for target, data in entries:
            if not target.startswith("/"):
                return _reply(start, 400, {"code": 400, "message": f"path {target!r} is not absolute"})
            file = Path(target)
            file.parent.mkdir(parents=True, exist_ok=True)
            with open(file, "wb") as handle:  # like envd: O_TRUNC keeps an existing file's mode
                handle.write(data if isinstance(data, bytes) else b"")
            written.append({"name": file.name, "type": "file", "path": str(file)})
        return _reply(start, 200, written)

    def _save(self) -> None:
        if self.state_file is not None:
            self.state_file.write_text(json.dumps({"sandboxes": self.sandboxes, "templates": self.templates}))

    # -- routes -------------------------------------------------------------------------------------
    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any]
    ) -> tuple[int, Any]:
        routes: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("POST", r"/sandboxes", self._create),
            ("POST", r"/v2/sandboxes", self._create),  # SDK 2.63 (NewSandboxV2), newer than openapi.yml
            ("GET", r"/v2/sandboxes", self._list),
            ("GET", r"/sandboxes/(?P<sid>[^/]+)", self._detail),
            ("DELETE", r"/sandboxes/(?P<sid>[^/]+)", self._kill),
            ("POST", r"/sandboxes/(?P<sid>[^/]+)/pause", self._pause),
            ("POST", r"/sandboxes/(?P<sid>[^/]+)/connect", self._connect),
            ("POST", r"/v2/sandboxes/(?P<sid>[^/]+)/connect", self._connect),
            ("POST", r"/sandboxes/(?P<sid>[^/]+)/resume", self._resume),
            ("POST", r"/sandboxes/(?P<sid>[^/]+)/timeout", self._timeout),
            ("GET", r"/templates", self._templates),
            ("GET", r"/templates/aliases/(?P<alias>[^/]+)", self._alias),
            ("POST", r"/v3/templates", self._request_build),
            ("GET", r"/templates/(?P<tid>[^/]+)/files/(?P<hash>[^/]+)", self._file),
            ("POST", r"/v2/templates/(?P<tid>[^/]+)/builds/(?P<bid>[^/]+)", self._start_build),
            ("GET", r"/templates/(?P<tid>[^/]+)/builds/(?P<bid>[^/]+)/status", self._build_status),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return handler(query=query, body=body, **match.groupdict())
        raise _Status(404, f"{method} {path} is not implemented by the stand-in")

    def _sandbox(self, sid: str) -> dict[str, Any]:
        if sid not in self.sandboxes:
            raise _Status(404, f"sandbox \"{sid}\" doesn't exist or you don't have access to it")
        return self.sandboxes[sid]

    def _template_id(self, ref: str) -> str:
        for tid, tpl in self.templates.items():
            if ref == tid or ref in tpl["aliases"]:
                return tid
        raise _Status(404, f"template '{ref}' not found")

    @staticmethod
    def _listed(box: dict[str, Any]) -> dict[str, Any]:
        keys = ("templateID", "alias", "sandboxID", "clientID", "startedAt", "endAt", "cpuCount")
        keys += ("memoryMB", "diskSizeMB", "metadata", "state", "envdVersion", "volumeMounts")
        return {k: box[k] for k in keys if k in box}

    def _create(self, body: dict[str, Any], **_: Any) -> tuple[int, Any]:
        if "templateID" not in body:
            raise _Status(400, "templateID is required")
        tid = self._template_id(body["templateID"])
        tpl = self.templates[tid]
        sid = "i" + _rand(19)
        timeout = int(body.get("timeout", 15))
        box = {
            "templateID": tid,
            "alias": tpl["aliases"][0] if tpl["aliases"] else None,
            "sandboxID": sid,
            "clientID": "6532622b",
            "startedAt": _now(),
            "endAt": (datetime.now(UTC) + timedelta(seconds=timeout)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "cpuCount": tpl["cpuCount"],
            "memoryMB": tpl["memoryMB"],
            "diskSizeMB": tpl["diskSizeMB"],
            "metadata": body.get("metadata") or {},
            "state": "running",
            "envdVersion": ENVD_VERSION,
            "volumeMounts": [],
            "envVars": body.get("envVars") or {},
            "lifecycle": {
                "onTimeout": "pause" if body.get("autoPause") else "kill",
                "autoResume": bool(body.get("autoResume", {}).get("enabled", False))
                if isinstance(body.get("autoResume"), dict)
                else bool(body.get("autoResume", False)),
            },
            "timeout": timeout,
        }
        self.sandboxes[sid] = box
        tpl["spawnCount"] += 1
        return 201, self._created(box)

    def _created(self, box: dict[str, Any]) -> dict[str, Any]:
        return {
            "templateID": box["templateID"],
            "sandboxID": box["sandboxID"],
            "alias": box["alias"],
            "clientID": box["clientID"],
            "envdVersion": box["envdVersion"],
            "envdAccessToken": "standin-envd-token",
            "trafficAccessToken": None,
            "domain": None,
        }

    def _list(self, query: dict[str, list[str]], **_: Any) -> tuple[int, Any]:
        states = {s for v in query.get("state", ["running"]) for s in v.split(",")}
        wanted: dict[str, str] = {}
        for raw in query.get("metadata", []):
            wanted.update({k: v[0] for k, v in parse_qs(raw).items()})
        found = [
            self._listed(b)
            for b in self.sandboxes.values()
            if b["state"] in states and all(b["metadata"].get(k) == v for k, v in wanted.items())
        ]
        return 200, found

    def _detail(self, sid: str, **_: Any) -> tuple[int, Any]:
        box = self._sandbox(sid)
        detail = self._listed(box)
        detail.update(lifecycle=box["lifecycle"], envdAccessToken="standin-envd-token", domain=None)
        return 200, detail

    def _kill(self, sid: str, **_: Any) -> tuple[int, Any]:
        self._sandbox(sid)
        del self.sandboxes[sid]
        return 204, None

    def _pause(self, sid: str, **_: Any) -> tuple[int, Any]:
        box = self._sandbox(sid)
        if box["state"] == "paused":
            raise _Status(409, f"Sandbox {sid} is already paused")
        box["state"] = "paused"
        return 204, None

    def _connect(self, sid: str, body: dict[str, Any], **_: Any) -> tuple[int, Any]:
        box = self._sandbox(sid)
        resumed = box["state"] == "paused"
        box["state"] = "running"
        if "timeout" in body:
            box["timeout"] = int(body["timeout"])
        return (201 if resumed else 200), self._created(box)

    def _resume(self, sid: str, body: dict[str, Any], **_: Any) -> tuple[int, Any]:
        box = self._sandbox(sid)
        if box["state"] == "running":
            raise _Status(409, f"Sandbox {sid} is already running")
        box["state"] = "running"
        return 201, self._created(box)

    def _timeout(self, sid: str, body: dict[str, Any], **_: Any) -> tuple[int, Any]:
        self._sandbox(sid)["timeout"] = int(body.get("timeout", 0))
        return 204, None

    def _templates(self, **_: Any) -> tuple[int, Any]:
        return 200, [{k: v for k, v in t.items() if not k.startswith("_")} for t in self.templates.values()]

    def _alias(self, alias: str, **_: Any) -> tuple[int, Any]:
        tid = self._template_id(alias)
        return 200, {"templateID": tid, "public": False}

    def _request_build(self, body: dict[str, Any], **_: Any) -> tuple[int, Any]:
        name = str(body.get("name", "")).split(":")[0]
        if not re.fullmatch(r"[a-z0-9_-]{1,128}", name):
            raise _Status(400, f"Template name {name} is not valid")
        memory = int(body.get("memoryMB", 1024))
        if memory % 2:
            raise _Status(400, f"The memory in megabytes must be an even number. You provided {memory}.")
        try:
            tid = self._template_id(name)
        except _Status:
            tid = _rand(20)
            self.templates[tid] = {
                "templateID": tid,
                "public": False,
                "aliases": [name],
                "names": [name],
                "createdAt": _now(),
                "spawnCount": 0,
                "buildCount": 0,
                "envdVersion": ENVD_VERSION,
            }
        bid = _rand(8) + "-build"
        self.templates[tid].update(
            buildID=bid,
            cpuCount=int(body.get("cpuCount", 2)),
            memoryMB=memory,
            diskSizeMB=10240,
            updatedAt=_now(),
            buildStatus="waiting",
        )
        self.builds[bid] = {"templateID": tid, "status": "waiting", "steps": None}
        return 202, {
            "templateID": tid,
            "buildID": bid,
            "public": False,
            "names": [name],
            "tags": [],
            "aliases": [name],
        }

    def _file(self, tid: str, **_: Any) -> tuple[int, Any]:
        self._template_id(tid)
        return 201, {"present": True}

    def _start_build(self, tid: str, bid: str, body: dict[str, Any], **_: Any) -> tuple[int, Any]:
        build = self.builds.get(bid)
        if build is None or build["templateID"] != tid:
            raise _Status(404, f"build {bid} not found")
        build.update(status="ready", request=body)
        tpl = self.templates[tid]
        tpl.update(buildStatus="ready", buildCount=tpl["buildCount"] + 1, _last_build=body)
        return 202, None

    def _build_status(self, tid: str, bid: str, query: dict[str, list[str]], **_: Any) -> tuple[int, Any]:
        build = self.builds.get(bid)
        if build is None:
            raise _Status(404, f"build {bid} not found")
        offset = int(query.get("logsOffset", ["0"])[0])
        entries = [{"timestamp": _now(), "level": "info", "message": "Building template (stand-in)"}]
        return 200, {
            "templateID": tid,
            "buildID": bid,
            "status": build["status"],
            "logs": [],
            "logEntries": entries[offset:],
        }


class _ProcessService:
    """envd's process.Process: Start runs the command locally with the sandbox's env vars."""

    def __init__(self, api: E2bApi) -> None:
        self.api = api

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def unimplemented(*_: Any) -> Any:
            raise ConnectError(Code.UNIMPLEMENTED, f"process.{name} is not implemented by the stand-in")

        return unimplemented

    def start(self, request: pb.StartRequest, ctx: Any) -> Iterator[pb.StartResponse]:
        sid = ctx.request_headers.get("e2b-sandbox-id", "")
        with self.api.lock:
            box = self.api.sandboxes.get(sid)
            envs = dict(box["envVars"]) if box else {}
        if box is None or box["state"] != "running":
            raise ConnectError(Code.NOT_FOUND, f"sandbox {sid} is not running")
        cfg = request.process
        assert cfg is not None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
        env.update(envs)
        env.update(dict(cfg.envs))
        proc = subprocess.run(
            [cfg.cmd, *cfg.args], env=env, capture_output=True, timeout=60, cwd=cfg.cwd or None
        )
        yield _event(Oneof("start", pb.ProcessEvent.StartEvent(pid=proc.args.__len__() + 1000)))
        if proc.stdout:
            yield _event(Oneof("data", pb.ProcessEvent.DataEvent(output=Oneof("stdout", proc.stdout))))
        if proc.stderr:
            yield _event(Oneof("data", pb.ProcessEvent.DataEvent(output=Oneof("stderr", proc.stderr))))
        end = pb.ProcessEvent.EndEvent(
            exit_code=proc.returncode, exited=True, status=f"exit status {proc.returncode}"
        )
        yield _event(Oneof("end", end))


def _event(oneof: Any) -> pb.StartResponse:
    return pb.StartResponse(event=pb.ProcessEvent(event=oneof))


def _dechunk(environ: dict[str, Any]) -> None:
    """wsgiref does not decode chunked request bodies (connect-rpc streams send them): do it here."""
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() != "chunked":
        return
    raw, data = environ["wsgi.input"], b""
    while size := int(raw.readline().split(b";")[0].strip() or b"0", 16):
        data += raw.read(size)
        raw.readline()
    raw.readline()
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(data), str(len(data))
    del environ["HTTP_TRANSFER_ENCODING"]


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data: bytes = environ["wsgi.input"].read(length) if length else b""
    return data


def _reply(start: StartResponse, code: int, payload: Any) -> list[bytes]:
    reasons = {
        200: "OK",
        201: "Created",
        202: "Accepted",
        204: "No Content",
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
    }
    if payload is None:
        start(f"{code} {reasons.get(code, 'Status')}", [])
        return []
    data = json.dumps(payload).encode()
    start(
        f"{code} {reasons.get(code, 'Status')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class E2bApiServer:
    """Runs an `E2bApi` on 127.0.0.1 (random port) in a background thread."""

    def __init__(self, api: E2bApi | None = None) -> None:
        self.api = api or E2bApi()
        self.httpd = make_server("127.0.0.1", 0, self.api, _ThreadingServer, _QuietHandler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> E2bApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--state-file", type=Path)
    args = parser.parse_args()
    api = E2bApi(state_file=args.state_file)
    api.fail = os.environ.get("E2B_STANDIN_FAIL", "")
    api.slow_seconds = float(os.environ.get("E2B_STANDIN_SLOW", "30"))
    server = E2bApiServer(api)
    args.port_file.write_text(str(server.httpd.server_address[1]))
    server.httpd.serve_forever()


if __name__ == "__main__":
    main()
