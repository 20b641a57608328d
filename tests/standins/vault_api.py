#!/usr/bin/env python3
"""A loopback stand-in of HashiCorp Vault's HTTP API: KV v2 reads and the token lookup, for `hvac`.

Shapes follow Vault's API documentation (developer.hashicorp.com/vault/api-docs):
  GET /v1/<mount>/data/<path>      200 {"request_id", "lease_id", "renewable", "lease_duration",
                                   "data": {"data": {...}, "metadata": {...}}, "wrap_info", "warnings",
                                   "auth"}; a missing path is 404 {"errors": []}; a deleted latest
                                   version is 404 with the metadata's `deletion_time` set; an unknown
                                   mount is 404 {"errors": ["no handler for route ..."]}
  GET /v1/auth/token/lookup-self   200 {"data": {"display_name", "policies", "ttl", ...}}
A missing or unknown `X-Vault-Token`, or a token whose policy does not cover the path, is 403
{"errors": ["permission denied"]}. Secrets live per `X-Vault-Namespace` ("" = root namespace).
A sealed Vault answers every request 503 {"errors": ["Vault is sealed"]}.

Knobs (attributes of VaultApi): `sealed`, `hang` (seconds to wait before answering), `fail_times`
(answer the next N requests 500 {"errors": ["internal error"]}). `requests` records (method, path,
token matched, namespace) of each call, never the token itself.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "hvs.standin0123456789abcdef"


class VaultApi:
    """The state: KV v2 secrets keyed by (namespace, mount, path), tokens with the paths they may read."""

    def __init__(self) -> None:
        self.mounts: set[tuple[str, str]] = {("", "secret")}
        self.secrets: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.deleted: set[tuple[str, str, str]] = set()
        self.tokens: dict[str, list[str]] = {TOKEN: ["*"]}
        """token -> "mount/path" prefixes it may read ("*": all)."""
        self.sealed = False
        self.hang = 0.0
        self.fail_times = 0
        self.requests: list[tuple[str, str, bool, str]] = []
        self.lock = threading.Lock()

    def put(self, path: str, data: dict[str, Any], *, mount: str = "secret", namespace: str = "") -> None:
        self.mounts.add((namespace, mount))
        self.secrets[(namespace, mount, path)] = data

    def answer(self, method: str, url: str, token: str, namespace: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append((method, url, token in self.tokens, namespace))
            if self.fail_times > 0:
                self.fail_times -= 1
                return 500, {"errors": ["internal error"]}
        if self.sealed:
            return 503, {"errors": ["Vault is sealed"]}
        if not url.startswith("/v1/"):
            return 404, {"errors": []}
        route = url[len("/v1/") :].split("?", 1)[0]
        if token not in self.tokens:
            return 403, {"errors": ["permission denied"]}
        if route == "auth/token/lookup-self" and method == "GET":
            return 200, _envelope(
                {
                    "accessor": "standin-accessor",
                    "display_name": "token-sindri",
                    "id": token,
                    "policies": ["default", "sindri-read"],
                    "ttl": 3600,
                    "type": "service",
                    "renewable": True,
                }
            )
        mount, _, rest = route.partition("/")
        if (namespace, mount) not in self.mounts or not rest.startswith("data/") or method != "GET":
            return 404, {"errors": [f'no handler for route "{route}". route entry not found.']}
        path = rest[len("data/") :]
        allowed = self.tokens[token]
        if "*" not in allowed and not any(f"{mount}/{path}".startswith(p) for p in allowed):
            return 403, {"errors": ["1 error occurred:\n\t* permission denied\n\n"]}
        key = (namespace, mount, path)
        metadata = {
            "created_time": datetime.now(UTC).isoformat(),
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": False,
            "version": 1,
        }
        if key in self.deleted:
            return 404, _envelope(
                {"data": None, "metadata": {**metadata, "deletion_time": metadata["created_time"]}}
            )
        if key not in self.secrets:
            return 404, {"errors": []}
        return 200, _envelope({"data": self.secrets[key], "metadata": metadata})


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "request_id": "00000000-0000-0000-0000-000000000000",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": data,
        "wrap_info": None,
        "warnings": None,
        "auth": None,
    }


class VaultApiServer:
    """The API on 127.0.0.1 (a free port) in a daemon thread; `url` is what VAULT_ADDR takes."""

    def __init__(self, api: VaultApi | None = None) -> None:
        self.api = api or VaultApi()
        api_ref = self.api

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                if api_ref.hang:
                    time.sleep(api_ref.hang)
                status, body = api_ref.answer(
                    method,
                    self.path,
                    self.headers.get("X-Vault-Token", ""),
                    self.headers.get("X-Vault-Namespace", ""),
                )
                raw = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> VaultApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.hang = 0
        self.httpd.shutdown()
        self.httpd.server_close()
