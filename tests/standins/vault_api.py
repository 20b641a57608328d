#!/usr/bin/env python3
"""A loopback stand-in of Vault's HTTP API, as much as `sindri secrets test-vault` reads of it.

`GET /v1/sys/health` answers like Vault (200 when unsealed and active, 503 when sealed, with
`{"initialized", "sealed", "standby", "version", ...}`); `GET /v1/auth/token/lookup-self` answers 200
with the token's data for the token given as argv[2] (header `X-Vault-Token`) and 403
`{"errors": ["permission denied"]}` for any other, as Vault does. argv[1] is a file that receives the
port; `SINDRI_STANDIN_SEALED=1` makes it sealed. Each request's path and namespace header is logged
to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TOKEN = sys.argv[2] if len(sys.argv) > 2 else "s.standin-token"
SEALED = os.environ.get("SINDRI_STANDIN_SEALED") == "1"


class Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        sys.stderr.write(f"{self.path} namespace={self.headers.get('X-Vault-Namespace')}\n")
        path = self.path.split("?", 1)[0]
        if path == "/v1/sys/health":
            health = {"initialized": True, "sealed": SEALED, "standby": False, "version": "1.17.2"}
            self._send(503 if SEALED else 200, {**health, "cluster_name": "vault-cluster-standin"})
        elif path == "/v1/auth/token/lookup-self":
            if SEALED:
                self._send(503, {"errors": ["Vault is sealed"]})
            elif self.headers.get("X-Vault-Token") == TOKEN:
                self._send(200, {"data": {"display_name": "token", "policies": ["default"], "ttl": 3600}})
            else:
                self._send(403, {"errors": ["permission denied"]})
        else:
            self._send(404, {"errors": []})

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(sys.argv[1]).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
