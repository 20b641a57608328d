#!/usr/bin/env python3
"""A loopback stand-in of RunPod's REST API v2 (upstream-runpod-northflank.md A.4.1 and A.5), for the
runpod provider: point it here with `RUNPOD_API_BASE_URL=http://127.0.0.1:<port>`.

Contract kept: Bearer auth (401 otherwise), `GET /v2/pods` -> {"pods": [...]}, `GET /v2/pods/{id}`,
`POST /v2/pods` (201; nested body: exactly one of gpu/cpu, no persistent mount on CPU pods, vcpuCount a
power of two >= 2), `POST /v2/pods/{id}/action` (409 when the action does not fit the status),
`DELETE /v2/pods/{id}` (204). Errors are RFC 9457 problem+json. A new pod goes PROVISIONING -> STARTING
-> RUNNING over the next GETs of it; a RUNNING pod has `runtime` and `ssh` (a direct address on SECURE
cloud only, the proxy always).

Failure knobs (attributes of `RunpodApi`): `fail` = "500" | "429" | "garbage" | "slow" | "", for the
next `fail_times` requests (default: all); `slow_seconds`.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_KEY = "rpa_standin_0123456789ABCDEF"
GPU_TYPES = {
    "NVIDIA RTX A4000",
    "NVIDIA RTX A5000",
    "NVIDIA GeForce RTX 4090",
    "NVIDIA A100 80GB PCIe",
    "NVIDIA H100 80GB HBM3",
    "NVIDIA L4",
}
DATA_CENTERS = {"EU-RO-1", "US-TX-3", "US-CA-2", "CA-MTL-1", "EU-SE-1"}
CPU_FLAVORS = {"cpu3c", "cpu3g", "cpu3m", "cpu5c", "cpu5g", "cpu5m"}
PORT = re.compile(r"^\d+/(http|tcp)$")
ACTIONS = {"RUNNING": ["stop", "restart", "terminate"], "EXITED": ["start", "terminate"]}


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(detail)
        self.body: dict[str, Any] = {"title": title, "status": status, "detail": detail}
        if errors:
            self.body["errors"] = errors
        self.status = status


class RunpodApi:
    def __init__(self, key: str = DEFAULT_KEY, polls_to_run: int = 2) -> None:
        self.key = key
        self.polls_to_run = polls_to_run
        self.lock = threading.Lock()
        self.pods: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.fail = ""
        self.fail_times = -1
        self.slow_seconds = 30.0

    # -- one request ----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, auth: str, body: Any) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((method, path, body))
            fail = self.fail if self.fail_times != 0 else ""
            if fail and self.fail_times > 0:
                self.fail_times -= 1
        if fail == "slow":
            time.sleep(self.slow_seconds)
        if fail in ("500", "429"):
            raise Problem(int(fail), "Injected", f"injected {fail}")
        if fail == "garbage":
            return 200, b"<html>not json"
        if auth != f"Bearer {self.key}":
            raise Problem(401, "Unauthorized", "missing or invalid API key")
        with self.lock:
            return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        path = path.split("?", 1)[0]
        if path == "/v2/pods" and method == "GET":
            return 200, {"pods": [self._view(p) for p in self.pods.values()]}
        if path == "/v2/pods" and method == "POST":
            return 201, self._create(body)
        match = re.fullmatch(r"/v2/pods/([a-z0-9]+)(/action)?", path)
        if match is None or match[1] not in self.pods:
            raise Problem(404, "Not Found", "pod not found")
        pod = self.pods[match[1]]
        if match[2] and method == "POST":
            return 200, self._action(pod, body)
        if method == "GET":
            self._advance(pod)
            return 200, self._view(pod)
        if method == "DELETE":
            del self.pods[pod["id"]]
            return 204, None
        raise Problem(405, "Method Not Allowed", f"{method} {path}")

    # -- the pod's life -----------------------------------------------------------------------------

    def _create(self, body: Any) -> dict[str, Any]:
        errors = _invalid(body)
        if errors:
            raise Problem(422, "Unprocessable Entity", "invalid pod request", errors)
        pod_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))
        pod = {
            "id": pod_id,
            "name": body["name"],
            "status": "PROVISIONING",
            "image": body.get("image", ""),
            "args": body.get("args", ""),
            "disk": body.get("disk", 50),
            "mounts": body.get("mounts", {}),
            "ports": body.get("ports", []),
            "env": body.get("env", {}),
            "registry": None,
            "cloud": body.get("cloud", "SECURE"),
            "dataCenterId": (body.get("dataCenterIds") or ["EU-RO-1"])[0],
            "cudaVersion": "12.8",
            "template": body.get("templateId"),
            "locked": False,
            "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "startedAt": None,
            "globalNetworking": False,
            "startSsh": body.get("startSsh", False),
            "_started": None,
        }
        if "gpu" in body:
            gpu = body["gpu"]
            pod["gpu"] = {"id": gpu["id"], "count": gpu["count"], "displayName": gpu["id"].split()[-1]}
            pod["cost"] = {"perHour": 0.25 * gpu["count"]}
        else:
            pod["cpu"] = dict(body["cpu"])
            pod["cost"] = {"perHour": "0.06"}  # a string, as RunPod's own examples send it
        self.pods[pod_id] = pod
        self.polls[pod_id] = 0
        return self._view(pod)

    def _advance(self, pod: dict[str, Any]) -> None:
        if pod["status"] in ("PROVISIONING", "STARTING"):
            self.polls[pod["id"]] += 1
            if self.polls[pod["id"]] >= self.polls_to_run:
                self._run(pod)
            else:
                pod["status"] = "STARTING"

    def _run(self, pod: dict[str, Any]) -> None:
        pod["status"] = "RUNNING"
        pod["_started"] = time.time() - 3725  # an hour and a bit: the uptime shows it
        pod["startedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def _action(self, pod: dict[str, Any], body: Any) -> dict[str, Any]:
        action = body.get("action") if isinstance(body, dict) else None
        if action not in ACTIONS.get(pod["status"], []):
            raise Problem(
                409, "Conflict", f"action {action!r} is not valid for a pod that is {pod['status']}"
            )
        if action == "stop":
            pod["status"], pod["_started"] = "EXITED", None
        elif action in ("start", "restart"):
            self._run(pod)
        return self._view(pod)

    def _view(self, pod: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in pod.items() if not k.startswith("_") and k != "startSsh"}
        out["actions"] = ACTIONS.get(pod["status"], [])
        running = pod["status"] == "RUNNING"
        out["runtime"] = (
            {
                "uptime": int(time.time() - pod["_started"]),
                "gpus": [],
                "cpu": None,
                "memory": None,
                "ports": [{"private": 22, "public": 10341, "type": "tcp", "ip": "100.65.0.119"}],
            }
            if running
            else None
        )
        proxy = {
            "host": "ssh.runpod.io",
            "port": 22,
            "username": f"{pod['id']}-6441103b",
            "command": f"ssh {pod['id']}-6441103b@ssh.runpod.io",
        }
        direct = {
            "host": "100.65.0.119",
            "port": 10341,
            "username": "root",
            "command": "ssh root@100.65.0.119 -p 10341",
        }
        ssh_on = running and pod["startSsh"]
        out["ssh"] = {
            "proxy": proxy if ssh_on else None,
            "direct": direct if ssh_on and pod["cloud"] == "SECURE" else None,
        }
        return out


def _invalid(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    errors = []
    if not isinstance(body.get("name"), str) or not body["name"]:
        errors.append("name is required")
    if not body.get("image") and not body.get("templateId"):
        errors.append("image is required unless templateId is given")
    if ("gpu" in body) == ("cpu" in body):
        errors.append("exactly one of gpu or cpu must be set")
    gpu, cpu = body.get("gpu"), body.get("cpu")
    if gpu is not None:
        if not isinstance(gpu, dict) or gpu.get("id") not in GPU_TYPES:
            errors.append(f"gpu.id must be one of {sorted(GPU_TYPES)}")
        elif not isinstance(gpu.get("count"), int) or not 1 <= gpu["count"] <= 8:
            errors.append("gpu.count must be 1 to 8")
    if cpu is not None:
        vcpus = cpu.get("vcpuCount") if isinstance(cpu, dict) else None
        if not isinstance(cpu, dict) or cpu.get("id") not in CPU_FLAVORS:
            errors.append(f"cpu.id must be one of {sorted(CPU_FLAVORS)}")
        if not isinstance(vcpus, int) or vcpus < 2 or vcpus & (vcpus - 1):
            errors.append("cpu.vcpuCount must be a power of two, at least 2")
        if isinstance(body.get("mounts"), dict) and "persistent" in body["mounts"]:
            errors.append("mounts.persistent is invalid when cpu is set")
    persistent = (body.get("mounts") or {}).get("persistent")
    if persistent is not None and (not isinstance(persistent.get("size"), int) or persistent["size"] < 10):
        errors.append("mounts.persistent.size must be at least 10")
    if body.get("cloud", "SECURE") not in ("SECURE", "COMMUNITY"):
        errors.append("cloud must be SECURE or COMMUNITY")
    for dc in body.get("dataCenterIds") or []:
        if dc not in DATA_CENTERS:
            errors.append(f"unknown data center id {dc!r}")
    for port in body.get("ports") or []:
        if not isinstance(port, str) or not PORT.match(port):
            errors.append(f"port {port!r} must be <port>/http or <port>/tcp")
    if "disk" in body and (not isinstance(body["disk"], int) or body["disk"] < 1):
        errors.append("disk must be at least 1")
    env = body.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        errors.append("env must map names to strings")
    return errors


class RunpodApiServer:
    """The API on 127.0.0.1 (an ephemeral port) in a thread, as a context manager."""

    def __init__(self, api: RunpodApi | None = None) -> None:
        self.api = api or RunpodApi()
        api_ref = self.api

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = "<not json>"
                try:
                    status, payload = api_ref.handle(
                        self.command, self.path, self.headers.get("Authorization", ""), body
                    )
                    kind = "application/json"
                except Problem as problem:
                    status, payload, kind = problem.status, problem.body, "application/problem+json"
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                if payload is None:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RunpodApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
