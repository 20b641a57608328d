"""SE321: a secret file outside the config's folder is named before deploy sends it (issue 10)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support import run_sindri

CONFIG = """version: "3.0"
name: outside
deployment:
  provider: docker
  image: sindri-demo:local
extensions:
  profile: minimal
secrets:
  - name: SSH_KEY
    source: file
    path: ~/.ssh/id_rsa
    mountPath: /home/developer/.ssh/id_rsa
  - name: TOKEN
    source: env
    fromFile: ../token.txt
  - name: LINKED
    source: env
    fromFile: linked.txt
  - name: INSIDE
    source: env
    fromFile: inside.txt
"""


def test_secret_files_outside_the_folder_are_reported_with_their_real_path(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN KEY-----\nsecret-key-material\n")
    project.mkdir()
    (tmp_path / "token.txt").write_text("outside-token-1234\n")
    (project / "inside.txt").write_text("inside-token-1234\n")
    (project / "linked.txt").symlink_to(tmp_path / "token.txt")  # inside by name, outside in fact
    (project / "sindri.yaml").write_text(CONFIG)
    done = run_sindri(
        "validate", "--format", "json", str(project / "sindri.yaml"), env={**os.environ, "HOME": str(home)}
    )
    found = [f for f in json.loads(done.stdout) if f["code"] == "SE321"]
    assert [(f["path"][1], f["range"]["start"]["line"]) for f in found] == [(0, 10), (1, 14), (2, 17)]
    assert str(home / ".ssh" / "id_rsa") in found[0]["message"]
    assert str(tmp_path / "token.txt") in found[2]["message"]  # the link's target, not its name
    assert done.returncode == 0  # a warning: the user may mean it
    assert "secret-key-material" not in done.stdout and "outside-token" not in done.stdout
