"""The RunPod provider in the editor: a real `sindri-lsp` over stdio, the API at the loopback stand-in."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from conftest import SECRET, base_config
from lsprotocol import types as lsp
from runpod_api import DEFAULT_KEY, RunpodApiServer
from support import REPO

sys.path.insert(0, str(REPO / "tests" / "lsp"))

from lsp_helpers import base_env, label_map, session


async def test_lenses_completion_hover_and_lifecycle(api: RunpodApiServer, tmp_path: Path) -> None:
    env = {**base_env(tmp_path / "state"), "RUNPOD_API_KEY": DEFAULT_KEY, "RUNPOD_API_BASE_URL": api.url}
    env["API_TOKEN"] = SECRET
    text = yaml.safe_dump(base_config(), sort_keys=False)
    (tmp_path / "sindri.yaml").write_text(text)
    lines = text.splitlines()
    async with session(tmp_path, env=env) as s:
        uri = await s.open(text)
        assert await s.diagnostics(uri) == []
        lenses = await s.client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
        )
        assert "$(cloud-upload) Deploy to runpod" in [
            lens.command.title for lens in lenses or [] if lens.command
        ]

        at = lines.index("  runpod:") + 1  # a new key under providers.runpod
        keys = label_map(await s.completion(uri, at, 4))
        assert {"gpuTypeId", "gpuCount", "cpuOnly", "containerDiskGb", "volumeSizeGb", "cloudType"} <= set(
            keys
        )

        row = next(i for i, line in enumerate(lines) if "region:" in line)
        hover = await s.hover(uri, row, lines[row].index("region") + 1)
        assert hover is not None and "EU-RO-1" in str(hover.contents)

        deployed = await s.command("sindri.deploy", uri)
        assert deployed["success"] is True, deployed
        status = await s.command("sindri.status", uri)
        assert status["status"]["state"] == "running" and status["status"]["details"]["gpu_count"] == "2"
        assert (await s.command("sindri.destroy", uri))["success"] is True
        assert SECRET not in json.dumps(s.messages) and DEFAULT_KEY not in json.dumps(s.messages)
