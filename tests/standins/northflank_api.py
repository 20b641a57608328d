#!/usr/bin/env python3
"""A loopback stand-in of the Northflank REST API v1 and of its exec WebSocket, for the real
`northflank` SDK.

Follows ../shared/reference/upstream-runpod-northflank.md B.4/B.5:
- success is `{"data": ...}` with status **200** (the JS client takes anything else as an error),
  errors are `{"error": {"status", "message", "id"}}` with the HTTP status;
- lists are paginated: `pagination: {hasNextPage, count, cursor?}`, and the last page **omits**
  `cursor` (a `null` there makes the CLI loop forever). The real API honours `per_page` up to 100; this
  one serves at most `page_size` items per page (default 2) so that every test crosses a page boundary;
- a new or resumed service's `status.deployment.status` goes PENDING -> IN_PROGRESS -> COMPLETED (or
  FAILED) over successive reads; `pause` sets `servicePaused` and `instances: 0`; `resume` of a service
  that is not paused answers 409 "The service could not be resumed as it is not paused.";
- bodies are validated (billing.deploymentPlan, deployment.instances, deployment.external.imagePath,
  volume mounts/spec, secret secretType/priority) and refused with 400.

The exec WebSocket (`/v1/command-exec/projects/{p}/services/{s}`, protocol B.4.3) runs the command
locally with the service's runtime environment plus the variables of the secret groups restricted to
it: enough to prove argv, secrets, output and exit codes travel end to end.

Knobs (attributes of `NorthflankApi`): `fail` = "500" | "garbage" | "401" | "429" | "slow" | "",
`fail_paths` (path prefixes the failure applies to; empty = every path), `slow_seconds`,
`outcome` = "COMPLETED" | "FAILED" | "STUCK" (where new deployments end), `page_size`.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.frames import Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

DEFAULT_TOKEN = "nf-standin-token-0123456789abcdef"
PLANS = {
    "nf-compute-10", "nf-compute-20", "nf-compute-50", "nf-compute-100-1", "nf-compute-100-2",
    "nf-compute-100-4", "nf-compute-200", "nf-compute-200-8", "nf-compute-200-16", "nf-compute-400",
    "nf-compute-400-16", "nf-compute-800-8", "nf-compute-800-16", "nf-compute-800-24",
    "nf-compute-800-32", "nf-compute-800-40", "nf-compute-1200-24", "nf-compute-1600-32",
    "nf-compute-2000-40",
}  # fmt: skip
REGIONS = {"us-east", "us-west", "us-central", "europe-west", "asia-southeast", "europe-west-netherlands"}
SERVICE_NAME = re.compile(r"^[a-zA-Z]((-|\s)?[a-zA-Z0-9]+((-|\s)[a-zA-Z0-9]+)*)?$")
SERVICE_KEYS = {
    "name", "description", "tags", "billing", "deployment", "ports", "runtimeEnvironment",
    "runtimeFiles", "healthChecks", "autoscaling", "createOptions",
}  # fmt: skip
SECRET_TYPES = {"environment-arguments", "environment", "arguments"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NorthflankApi:
    """The state (projects, services, volumes, secret groups) and the routes answering the SDK."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.projects: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, dict[str, Any]]] = {}
        self.volumes: dict[str, dict[str, dict[str, Any]]] = {}
        self.secrets: dict[str, dict[str, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail = ""
        self.fail_paths: list[str] = []
        self.slow_seconds = 30.0
        self.outcome = "COMPLETED"
        self.page_size = 2

    # -- requests ---------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, raw: bytes) -> tuple[int, bytes]:
        url = urlsplit(target)
        with self.lock:
            self.requests.append((method, url.path))
        if self.fail and (not self.fail_paths or any(url.path.startswith(p) for p in self.fail_paths)):
            if self.fail == "slow":
                time.sleep(self.slow_seconds)
            elif self.fail == "garbage":
                return 200, b"<html>502 Bad Gateway</html> {not json"
            elif self.fail in ("500", "429", "401"):
                status = int(self.fail)
                message = {
                    500: "Internal server error",
                    429: "Too many requests",
                    401: "Unauthenticated",
                }[status]
                return _error(status, message)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "Unauthenticated: the API token is invalid or has been revoked")
        try:
            body = json.loads(raw) if raw else {}
            with self.lock:
                payload = self.route(method, url.path, parse_qs(url.query), body)
        except ApiError as exc:
            return _error(exc.status, exc.message)
        except (ValueError, KeyError, TypeError) as exc:
            return _error(400, f"Invalid request: {exc}")
        return 200, json.dumps(payload).encode()

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> dict[str, Any]:
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"]:
            raise ApiError(404, f"Route {path} not found")
        parts = parts[1:]
        match (method, parts):
            case ("GET", ["projects"]):
                return self._page("projects", list(self.projects.values()), query)
            case ("POST", ["projects"]):
                return {"data": self._create_project(body)}
            case ("GET", ["projects", p]):
                return {"data": self._project_detail(p)}
            case ("GET", ["projects", p, "services"]):
                self._project(p)
                return self._page("services", [_listed(s) for s in self.services[p].values()], query)
            case ("POST", ["projects", p, "services", "deployment"]):
                return {"data": self._create_service(p, body)}
            case ("GET", ["projects", p, "services", s]):
                return {"data": self._read_service(p, s)}
            case ("DELETE", ["projects", p, "services", s]):
                return {"data": self._delete_service(p, s, query)}
            case ("POST", ["projects", p, "services", s, "pause"]):
                return {"data": self._pause(p, s)}
            case ("POST", ["projects", p, "services", s, "resume"]):
                return {"data": self._resume(p, s)}
            case ("POST", ["projects", p, "volumes"]):
                return {"data": self._create_volume(p, body)}
            case ("POST", ["projects", p, "secrets"]):
                return {"data": self._create_secret(p, body)}
            case ("DELETE", ["projects", p, "secrets", sid]):
                self._project(p)
                if self.secrets[p].pop(sid, None) is None:
                    raise ApiError(404, f"Secret {sid} not found")
                return {"data": {}}
        raise ApiError(404, f"Route {method} {path} not found")

    def _page(self, key: str, items: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
        per_page = min(int(query.get("per_page", ["50"])[0]), 100, self.page_size)
        cursor = query.get("cursor", [""])[0]
        start = int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0
        chunk = items[start : start + per_page]
        more = start + per_page < len(items)
        pagination: dict[str, Any] = {"hasNextPage": more, "count": len(chunk)}
        if more:  # the last page omits cursor: a null there makes the JS client loop forever
            pagination["cursor"] = base64.urlsafe_b64encode(str(start + per_page).encode()).decode()
        return {"data": {key: chunk}, "pagination": pagination}

    # -- projects ---------------------------------------------------------------------------------------

    def _project(self, p: str) -> dict[str, Any]:
        if p not in self.projects:
            raise ApiError(404, f"Project {p} not found")
        return self.projects[p]

    def _create_project(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9-]{2,38}", name):
            raise ApiError(400, "Validation error: `name` must be 3 to 39 characters, a-z 0-9 and -")
        if "region" in body and body["region"] not in REGIONS:
            raise ApiError(400, f"Validation error: region {body['region']!r} is not available")
        if name in self.projects:
            raise ApiError(409, f"A project with the name {name} already exists")
        project = {"id": name, "name": name, "description": body.get("description", ""), "createdAt": _now()}
        project["region"] = body.get("region", "europe-west")
        self.projects[name] = project
        self.services[name], self.volumes[name], self.secrets[name] = {}, {}, {}
        return project

    def _project_detail(self, p: str) -> dict[str, Any]:
        project = self._project(p)
        return {
            **project,
            "deployment": {"region": project["region"]},
            "services": [
                {"id": s["id"], "appId": s["appId"], "name": s["name"], "serviceType": "deployment"}
                for s in self.services[p].values()
            ],
            "jobs": [],
            "addons": [],
        }

    # -- services ---------------------------------------------------------------------------------------

    def _service(self, p: str, s: str) -> dict[str, Any]:
        self._project(p)
        if s not in self.services[p]:
            raise ApiError(404, f"Service {s} not found")
        return self.services[p][s]

    def _create_service(self, p: str, body: dict[str, Any]) -> dict[str, Any]:
        self._project(p)
        unknown = set(body) - SERVICE_KEYS
        if unknown:
            raise ApiError(400, f"Validation error: unknown field(s) {sorted(unknown)}")
        name = body.get("name")
        if not isinstance(name, str) or not 3 <= len(name) <= 54 or not SERVICE_NAME.fullmatch(name):
            raise ApiError(400, "Validation error: `name` must be 3 to 54 characters")
        plan = (body.get("billing") or {}).get("deploymentPlan")
        if plan not in PLANS:
            raise ApiError(400, f"Validation error: billing.deploymentPlan {plan!r} is not a valid plan")
        deployment = body.get("deployment") or {}
        if not isinstance(deployment.get("instances"), int):
            raise ApiError(400, "Validation error: deployment.instances is required")
        if not isinstance((deployment.get("external") or {}).get("imagePath"), str):
            raise ApiError(400, "Validation error: deployment.external.imagePath is required")
        sid = name.lower().replace(" ", "-")
        if sid in self.services[p]:
            raise ApiError(409, f"A service with the name {name} already exists")
        ports = [
            {
                **port,
                "id": f"port-{i}",
                "domains": [],
                "dns": f"{port['name']}--{sid}--{p}.code.run"
                if port.get("public")
                else f"{sid}:{port['internalPort']}",
            }
            for i, port in enumerate(body.get("ports") or [])
        ]
        service = {
            "id": sid,
            "appId": f"/{p}/{sid}",
            "projectId": p,
            "name": name,
            "description": body.get("description", ""),
            "tags": [],
            "serviceType": "deployment",
            "servicePaused": False,
            "billing": body["billing"],
            "deployment": {"region": self.projects[p]["region"], **deployment},
            "ports": ports,
            "runtimeEnvironment": body.get("runtimeEnvironment") or {},
            "status": {
                "deployment": {"status": "PENDING", "reason": "DEPLOYING", "lastTransitionTime": _now()}
            },
            "createdAt": _now(),
            "_reads": 0,
        }
        self.services[p][sid] = service
        return _public(service)

    def _read_service(self, p: str, s: str) -> dict[str, Any]:
        service = self._service(p, s)
        deployment = service["status"]["deployment"]
        if deployment["status"] in ("PENDING", "IN_PROGRESS") and self.outcome != "STUCK":
            service["_reads"] += 1
            if service["_reads"] >= 2:
                deployment["status"] = self.outcome
            else:
                deployment["status"] = "IN_PROGRESS"
            deployment["lastTransitionTime"] = _now()
        return _public(service)

    def _delete_service(self, p: str, s: str, query: dict[str, list[str]]) -> dict[str, Any]:
        self._service(p, s)
        del self.services[p][s]
        if query.get("delete_child_objects", ["false"])[0] == "true":
            for vid, volume in list(self.volumes[p].items()):
                if any(o.get("id") == s for o in volume.get("attachedObjects", [])):
                    del self.volumes[p][vid]
        return {}

    def _pause(self, p: str, s: str) -> dict[str, Any]:
        service = self._service(p, s)
        if service["servicePaused"]:
            raise ApiError(409, "The service could not be paused as it is already paused.")
        service["servicePaused"] = True
        service["_instances"] = service["deployment"]["instances"]
        service["deployment"]["instances"] = 0
        service["status"]["deployment"].update(status="COMPLETED", reason="SCALING")
        return {}

    def _resume(self, p: str, s: str) -> dict[str, Any]:
        service = self._service(p, s)
        if not service["servicePaused"]:
            raise ApiError(409, "The service could not be resumed as it is not paused.")
        service["servicePaused"] = False
        service["deployment"]["instances"] = service.pop("_instances", 1)
        service["status"]["deployment"].update(status="PENDING", reason="SCALING")
        service["_reads"] = 0
        return {}

    # -- volumes and secret groups ------------------------------------------------------------------------

    def _create_volume(self, p: str, body: dict[str, Any]) -> dict[str, Any]:
        self._project(p)
        mounts = body.get("mounts")
        spec = body.get("spec") or {}
        if not isinstance(body.get("name"), str):
            raise ApiError(400, "Validation error: `name` is required")
        if not isinstance(mounts, list) or not mounts or not all("containerMountPath" in m for m in mounts):
            raise ApiError(400, "Validation error: `mounts` needs at least one containerMountPath")
        if spec.get("accessMode") not in ("ReadWriteOnce", "ReadWriteMany"):
            raise ApiError(400, "Validation error: spec.accessMode must be ReadWriteOnce or ReadWriteMany")
        if not isinstance(spec.get("storageSize"), int) or spec["storageSize"] < 1024:
            raise ApiError(400, "Validation error: spec.storageSize must be at least 1024 (MB)")
        for obj in body.get("attachedObjects") or []:
            self._service(p, obj["id"])
        vid = body["name"]
        if vid in self.volumes[p]:
            raise ApiError(409, f"A volume with the name {vid} already exists")
        volume = {
            **body,
            "id": vid,
            "tags": [],
            "status": "PENDING",
            "createdAt": _now(),
            "updatedAt": _now(),
        }
        self.volumes[p][vid] = volume
        return volume

    def _create_secret(self, p: str, body: dict[str, Any]) -> dict[str, Any]:
        self._project(p)
        if body.get("secretType") not in SECRET_TYPES:
            raise ApiError(400, f"Validation error: secretType must be one of {sorted(SECRET_TYPES)}")
        if not isinstance(body.get("priority"), int | float):
            raise ApiError(400, "Validation error: priority is required")
        if not isinstance((body.get("secrets") or {}).get("variables", {}), dict):
            raise ApiError(400, "Validation error: secrets.variables must be an object")
        sid = str(body["name"])
        if sid in self.secrets[p]:
            raise ApiError(409, f"A secret group with the name {sid} already exists")
        group = {**body, "id": sid, "createdAt": _now()}
        self.secrets[p][sid] = group
        return {k: v for k, v in group.items() if k != "secrets"}

    # -- exec --------------------------------------------------------------------------------------

    def exec_env(self, p: str, s: str) -> dict[str, str]:
        """What a process in the service sees: its runtime environment and its secret groups' variables."""
        with self.lock:
            service = self._service(p, s)
            env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **service["runtimeEnvironment"]}
            for group in self.secrets.get(p, {}).values():
                restrictions = group.get("restrictions") or {}
                targets = {o.get("id") for o in restrictions.get("nfObjects", [])}
                if not restrictions.get("restricted") or s in targets:
                    env.update((group.get("secrets") or {}).get("variables", {}))
            return env

    def paused(self, p: str, s: str) -> bool:
        with self.lock:
            return bool(self._service(p, s)["servicePaused"])


def _public(service: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in service.items() if not k.startswith("_")}


def _listed(service: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "appId", "projectId", "name", "tags", "description", "serviceType", "status")
    return {k: service[k] for k in keys} | {"disabledCI": False, "disabledCD": False}


def _error(status: int, message: str) -> tuple[int, bytes]:
    error = {"status": status, "message": message, "id": f"nf-standin-{status}"}
    return status, json.dumps({"error": error}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, payload = self.server.api.handle(self.command, self.path, self.headers, raw)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_DELETE = do_PUT = do_PATCH = _answer

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._exec()
        else:
            self._answer()

    # -- the exec WebSocket, framed by the `websockets` library's sans-I/O protocol ------------------------

    def _exec(self) -> None:
        match = re.fullmatch(r"/v1/command-exec/projects/([^/]+)/services/([^/]+)", urlsplit(self.path).path)
        ws = ServerProtocol()
        raw = f"{self.requestline}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()) + "\r\n"
        ws.receive_data(raw.encode("latin-1"))
        request = next(e for e in ws.events_received() if isinstance(e, Request))
        ws.send_response(ws.accept(request))
        self._flush(ws)
        self.close_connection = True
        init = self._next_text(ws)
        data = (init or {}).get("data") or {}
        if (data.get("auth") or {}).get("apiToken") != self.server.api.token:
            self._send(ws, {"type": "init", "data": {"auth": "failed", "message": "invalid token"}})
            return self._close(ws)
        self._send(ws, {"type": "init", "data": {"auth": "successful"}})
        try:
            if match is None:
                raise ApiError(404, "unknown exec target")
            project, service = match[1], match[2]
            if self.server.api.paused(project, service):
                raise ApiError(409, f"Service {service} is paused")
            env = self.server.api.exec_env(project, service)
        except ApiError as exc:
            self._send(ws, {"type": "error", "data": {"message": exc.message}})
            return self._close(ws)
        command = (data.get("context") or {}).get("command")
        argv = command if isinstance(command, list) else ["/bin/sh", "-c", str(command or "true")]
        try:
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
            out, err, code = done.stdout, done.stderr, done.returncode
        except OSError as exc:
            out, err, code = "", f"exec: {exc}\n", 127
        for kind, text in (("stdOut", out), ("stdErr", err)):
            if text:
                self._send(ws, {"type": kind, "data": text})
        self._send(ws, {"type": "completion", "data": {"exitCode": code, "status": "Success", "message": ""}})
        self._close(ws)

    def _flush(self, ws: ServerProtocol) -> None:
        for chunk in ws.data_to_send():
            if chunk:
                self.wfile.write(chunk)
        self.wfile.flush()

    def _send(self, ws: ServerProtocol, frame: dict[str, Any]) -> None:
        ws.send_text(json.dumps(frame).encode())
        self._flush(ws)

    def _close(self, ws: ServerProtocol) -> None:
        ws.send_close(1000)
        self._flush(ws)

    def _next_text(self, ws: ServerProtocol) -> dict[str, Any] | None:
        """The next text frame from the client (pings are answered by the protocol)."""
        self.connection.settimeout(10)
        while True:
            for event in ws.events_received():
                if getattr(event, "opcode", None) == Opcode.TEXT:
                    result: dict[str, Any] = json.loads(event.data)
                    return result
            self._flush(ws)
            data = self.rfile.read1(65536)
            if not data:
                return None
            ws.receive_data(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: NorthflankApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api


class NorthflankApiServer:
    """Runs a `NorthflankApi` on 127.0.0.1 (random port) in a background thread."""

    def __init__(self, api: NorthflankApi | None = None) -> None:
        self.api = api or NorthflankApi()
        self.httpd = _Server(self.api)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> NorthflankApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
