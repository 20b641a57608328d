#!/usr/bin/env python3
"""A tiny `docker` stand-in for the DevPod cloud-backend tests: login, build, push.

Only the DevPod tests link it into a private PATH directory as `docker`; it is never in tests/standins,
so nobody else's tests can pick it up instead of the real Docker CLI. Messages follow Docker 28's CLI.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from _standin import begin, state


def main() -> int:
    argv = sys.argv[1:]
    begin("docker", argv)
    cmd = argv[0] if argv else ""
    if cmd in ("--version", "version"):
        print("Docker version 28.2.2, build e6534b4")
        return 0
    with state("docker") as data:
        images: list[str] = data.setdefault("images", [])
        if cmd == "login":
            password = sys.stdin.read().strip() if "--password-stdin" in argv else ""
            if not password:
                sys.stderr.write("Error: Cannot perform an interactive login from a non TTY device\n")
                return 1
            # Keep only a digest: the stand-in must not be the thing that writes a secret to disk.
            data["login_digest"] = hashlib.sha256(password.encode()).hexdigest()
            print("Login Succeeded")
            return 0
        if cmd == "build":
            tag = argv[argv.index("-t") + 1]
            dockerfile = Path(argv[argv.index("-f") + 1])
            if not dockerfile.is_file():
                sys.stderr.write(
                    f"ERROR: failed to build: resolve : lstat {dockerfile}: no such file or directory\n"
                )
                return 1
            sys.stderr.write(
                f"#1 [internal] load build definition from {dockerfile.name}\n#2 naming to {tag} done\n"
            )
            images.append(tag)
            return 0
        if cmd == "push":
            tag = argv[1]
            if tag not in images:
                sys.stderr.write(f"An image does not exist locally with the tag: {tag}\n")
                return 1
            data.setdefault("pushed", []).append(tag)
            print(f"latest: digest: sha256:{'0' * 64} size: 1234")
            return 0
    sys.stderr.write(f"docker: unknown command: docker {cmd}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
