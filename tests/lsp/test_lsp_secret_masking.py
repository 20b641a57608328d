"""Over LSP: a multi-line secret that a tool prints (as is, JSON-escaped, shell-quoted) is masked
line by line in work-done progress, in the command's result and in window/showMessage."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from lsp_helpers import FLY, base_env, session

SECRET = "lsp-First-Line-One\nsecond 'Line' \"Two\" $X\nthird-Line-Three"
FORMS = [*SECRET.splitlines(), json.dumps(SECRET)[1:-1], shlex.quote(SECRET)]
CONFIG = FLY + "secrets:\n  - name: API_TOKEN\n    source: env\n    required: true\n"


async def test_a_multiline_secret_is_masked_in_progress_and_messages(tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path / "state"),
        "API_TOKEN": SECRET,
        "SINDRI_STANDIN_ECHO": "deploy",
        "SINDRI_STANDIN_ECHO_VAR": "API_TOKEN",
        "SINDRI_STANDIN_FAIL": "deploy",
    }
    async with session(tmp_path, env=env) as s:
        uri = await s.open(CONFIG)
        result = await s.command("sindri.deploy", uri)
        assert result["success"] is False and "********" in result["error"]
        reports = [
            p["value"].get("message", "")
            for p in s.notifications("$/progress")
            if p["value"]["kind"] == "report"
        ]
        assert any("********" in line for line in reports)  # flyctl's echo was streamed, masked
        shown = [m.message for m in s.client.messages]
        assert any("sindri deploy" in m and "********" in m for m in shown)
        everything = json.dumps(s.messages)
        assert [form for form in FORMS if json.dumps(form)[1:-1] in everything or form in everything] == []
