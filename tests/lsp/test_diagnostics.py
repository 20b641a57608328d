"""Diagnostics: pushed on open and on change, with codes, links and related information; coalesced."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import Session, rng, session
from sindri.schemas.findings import doc_url

NO_PREREQS = {"prerequisiteChecks": False}
DOC = """version: "3.0"
name: demo
deployment:
  provider: docker
  resouces:
    memory: 4GB
extensions:
  profile: minimal
secrets:
  - name: API_KEY
    source: env
  - name: API_KEY
    source: env
"""


async def test_published_on_open_with_codes_links_and_related(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        diagnostics = await s.diagnostics(uri, 1)
        by_code = {d.code: d for d in diagnostics}
        assert sorted(by_code) == ["SC202", "SE312"]

        unknown = by_code["SC202"]
        assert unknown.range == rng(4, 2, 4, 10)
        assert "did you mean 'resources'" in unknown.message
        assert unknown.source == "sindri"
        assert unknown.code_description is not None
        assert unknown.code_description.href == doc_url("SC202")
        assert unknown.code_description.href.endswith("findings.md#sc202")

        duplicate = by_code["SE312"]
        assert duplicate.range == rng(11, 10, 11, 17)
        assert duplicate.related_information is not None
        (related,) = duplicate.related_information
        assert related.location.uri == uri
        assert related.location.range == rng(9, 10, 9, 17)
        assert related.message == "first declared here"


async def test_published_on_change_for_the_new_text(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(DOC)
        assert {d.code for d in await s.diagnostics(uri, 1)} == {"SC202", "SE312"}
        fixed = DOC.replace("resouces", "resources").replace("  - name: API_KEY\n    source: env\n", "", 1)
        version = s.change(uri, fixed)
        assert await s.diagnostics(uri, version) == []
        version = s.change(uri, fixed.replace("provider: docker", "provider: dokcer"))
        (bad,) = await s.diagnostics(uri, version)
        assert bad.code == "SC205"
        assert bad.range == rng(3, 12, 3, 18)


PADDING = "secrets:\n" + "".join(f"  - name: S{i}\n    source: env\n" for i in range(2000))
"""Makes each validation take long enough that a burst of changes arrives while one runs."""


def _text(version: int) -> str:
    """A document whose only problem names its version: a publish shows which text it came from."""
    return (
        'version: "3.0"\nname: demo\ndeployment:\n  provider: docker\nextensions:\n  profile: minimal\n'
        f"key{version}: x\n{PADDING}"
    )


async def test_many_quick_changes_end_with_the_newest_text_and_no_stale_publish(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        uri = await s.open(_text(1))
        await s.diagnostics(uri, 1)
        for version in range(2, 32):  # small edits, as typed: the burst lands while one validation runs
            old_key = f"key{version - 1}"
            assert s.edit(uri, (6, 0), (6, len(old_key)), f"key{version}") == version
        (final,) = await s.diagnostics(uri, 31)
        assert final.code == "SC202"
        assert "'key31'" in final.message
        assert final.range == rng(6, 0, 6, 5)
        _assert_each_publish_matches_its_version(s, uri, newest=31)


def _assert_each_publish_matches_its_version(s: Session, uri: str, newest: int) -> None:
    versions = []
    for params in s.publishes(uri):
        version = params["version"]
        versions.append(version)
        messages = [d["message"] for d in params["diagnostics"]]
        assert any(f"'key{version}'" in m for m in messages), (version, messages)
    assert versions == sorted(versions), f"a stale publish came after a newer one: {versions}"
    assert versions[-1] == newest
    assert len(set(versions)) <= newest // 2, f"changes were not coalesced: {versions}"


async def test_push_only_no_pull_diagnostics(tmp_path: Path) -> None:
    async with session(tmp_path, settings=NO_PREREQS) as s:
        (reply,) = [m for m in s.messages if "capabilities" in (m.get("result") or {})]
        capabilities = reply["result"]["capabilities"]
        assert "diagnosticProvider" not in capabilities
        uri = await s.open(DOC)
        await s.diagnostics(uri, 1)
        assert not s.requests("workspace/diagnostic/refresh")


async def test_closing_clears_and_other_yaml_files_are_ignored(tmp_path: Path) -> None:
    from lsprotocol import types as lsp

    async with session(tmp_path, settings=NO_PREREQS) as s:
        other = await s.open("foo: [\n", name="docker-compose.yaml")
        named = await s.open(DOC.replace("resouces", "bogus"), name="dev.sindri.yaml")
        assert [d.code for d in await s.diagnostics(named, 1)] == ["SC202", "SE312"]
        yml = await s.open("name: x\n", name="sub/sindri.yml")
        assert "SC203" in [d.code for d in await s.diagnostics(yml, 1)]
        s.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(named)))
        await s.until(lambda: s.publishes(named)[-1]["diagnostics"] == [], "cleared diagnostics")
        assert s.publishes(other) == []
