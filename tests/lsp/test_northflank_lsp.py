"""A Northflank sindri.yaml in the editor: lenses, completion of `providers.northflank` keys, hover, and
the lifecycle commands with their status against the loopback Northflank API stand-in."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lsp_helpers import Session, base_env, session
from lsprotocol import types as lsp
from support import STANDINS

sys.path.insert(0, str(STANDINS))
from northflank_api import DEFAULT_TOKEN, NorthflankApiServer

SECRET = "s3cr3t-lsp-Northflank-7"
CONFIG = (
    """version: "3.0"
name: nf-editor
deployment:
  provider: northflank
  image: ghcr.io/pacphi/sindri:v3.1.4
extensions:
  profile: minimal
secrets:
  - name: API_TOKEN
    source: env
providers:
  northflank:
    projectName: sindri-editor
"""
    + "    \n"
)  # the cursor's line, indented under providers.northflank


def statuses(s: Session) -> list[dict[str, object]]:
    return list(s.notifications("sindri/status"))


async def test_northflank_lenses_completion_hover_and_lifecycle(tmp_path: Path) -> None:
    with NorthflankApiServer() as api:
        env = {
            **base_env(tmp_path / "state"),
            "NORTHFLANK_API_TOKEN": DEFAULT_TOKEN,
            "NORTHFLANK_API_BASE_URL": api.url,
            "API_TOKEN": SECRET,
        }
        async with session(tmp_path, env=env) as s:
            uri = await s.open(CONFIG)
            assert [d.code for d in await s.diagnostics(uri)] == []

            found = await s.client.text_document_code_lens_async(
                lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
            )
            titles = [lens.command.title for lens in found or [] if lens.command]
            assert titles[0] == "$(cloud-upload) Deploy to northflank" and "$(pulse) Status" in titles

            labels = {i.label for i in await s.completion(uri, 13, 4)}
            assert {"computePlan", "region", "gpuType", "volumeSizeGb", "ports", "serviceName"} <= labels
            assert "projectName" not in labels  # already there

            hover = await s.hover(uri, 12, 6)
            assert hover is not None and "created when missing" in str(hover.contents)

            deployed = await s.command("sindri.deploy", uri)
            assert deployed["success"] is True, deployed
            await s.until(lambda: any(st["state"] == "running" for st in statuses(s)), "status running")
            stopped = await s.command("sindri.stop", uri)
            assert stopped["success"] is True
            await s.until(lambda: statuses(s)[-1]["state"] == "paused", "status paused")
            destroyed = await s.command("sindri.destroy", uri)
            assert destroyed["success"] is True
            await s.until(lambda: statuses(s)[-1]["state"] == "not_deployed", "status not_deployed")
            assert api.api.secrets["sindri-editor"] == {}
            assert SECRET not in json.dumps(s.messages) and DEFAULT_TOKEN not in json.dumps(s.messages)
