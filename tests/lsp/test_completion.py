"""Completion on incomplete documents: keys, enum values, booleans, catalogue names; exact edit ranges."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import Session, label_map, rng, session
from lsprotocol import types as lsp
from sindri.schemas import catalog

# The user is typing: several values are missing and the document does not validate.
DOC = """version: "3.0"
name: demo
deployment:
  provider:·
  resources:
    gpu:
      tier: gpu-
extensions:
  active:
    - node
    -·
providers:
  docker:
    dind:
      mode:·
      enabled:·
······
  devpod:
    type:·
secrets:
  - name: TOKEN
    so
""".replace("·", " ")  # "·" marks a trailing space


async def items_at(s: Session, uri: str, line: int, character: int) -> list[lsp.CompletionItem]:
    items = await s.completion(uri, line, character)
    for item in items:
        assert isinstance(item.text_edit, lsp.TextEdit), item.label
        assert "null" not in item.text_edit.new_text, item.label
    return items


def edits(items: list[lsp.CompletionItem]) -> set[tuple[int, int, int, int]]:
    found = set()
    for item in items:
        assert isinstance(item.text_edit, lsp.TextEdit)
        r = item.text_edit.range
        found.add((r.start.line, r.start.character, r.end.line, r.end.character))
    return found


def new_text(item: lsp.CompletionItem) -> str:
    assert isinstance(item.text_edit, lsp.TextEdit)
    return item.text_edit.new_text


async def test_top_level_keys_required_first_with_descriptions(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open("na")
        items = await items_at(s, uri, 0, 2)
        ordered = [i.label for i in sorted(items, key=lambda i: i.sort_text or "")]
        assert ordered == ["version", "name", "deployment", "extensions", "secrets", "providers"]
        assert edits(items) == {(0, 0, 0, 2)}
        by_label = label_map(items)
        assert by_label["name"].detail == "string (required)"
        assert by_label["secrets"].detail == "array"
        assert isinstance(by_label["deployment"].documentation, lsp.MarkupContent)
        assert "deployment" in by_label["deployment"].documentation.value.lower()
        assert new_text(by_label["deployment"]) == "deployment:\n  $0"
        assert new_text(by_label["secrets"]) == "secrets:\n  - $0"
        assert by_label["deployment"].insert_text_format == lsp.InsertTextFormat.Snippet


async def test_enum_values_providers_gpu_tiers_dind_modes_devpod_backends(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(DOC)
        providers = await items_at(s, uri, 3, 12)
        expected = ["docker", "docker-compose", "fly", "devpod", "e2b", "kubernetes", "runpod", "northflank"]
        assert [i.label for i in providers] == expected
        assert edits(providers) == {(3, 12, 3, 12)}
        assert label_map(providers)["fly"].detail == "Fly.io machine with a persistent volume."

        tiers = await items_at(s, uri, 6, 16)
        assert [i.label for i in tiers] == ["gpu-small", "gpu-medium", "gpu-large", "gpu-xlarge"]
        assert edits(tiers) == {(6, 12, 6, 16)}  # replaces the typed "gpu-"

        modes = await items_at(s, uri, 14, 12)
        assert {i.label for i in modes} == {"sysbox", "privileged", "socket", "auto"}
        assert edits(modes) == {(14, 12, 14, 12)}

        backends = await items_at(s, uri, 18, 10)
        expected = ["aws", "gcp", "azure", "digitalocean", "kubernetes", "ssh", "docker"]
        assert [i.label for i in backends] == expected
        assert edits(backends) == {(18, 10, 18, 10)}


async def test_booleans_are_plain_yaml_booleans(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(DOC)
        booleans = await items_at(s, uri, 15, 15)
        assert [(i.label, new_text(i)) for i in booleans] == [("true", "true"), ("false", "false")]
        assert edits(booleans) == {(15, 15, 15, 15)}


async def test_keys_snippets_with_defaults_in_a_nested_mapping(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(DOC)
        keys = label_map(await items_at(s, uri, 16, 6))
        assert set(keys) == {"storageDriver", "storageSize"}  # mode and enabled are already there
        assert new_text(keys["storageDriver"]) == "storageDriver: ${1|auto,overlay2,fuse-overlayfs,vfs|}"
        assert new_text(keys["storageSize"]) == 'storageSize: ${1:"20GB"}'
        assert edits(list(keys.values())) == {(16, 6, 16, 6)}


async def test_extension_names_in_list_items_with_descriptions(tmp_path: Path) -> None:
    extensions = {n: e for n, e in catalog.extensions().items() if not e.deprecated}
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(DOC)
        typed = await items_at(s, uri, 9, 10)
        assert edits(typed) == {(9, 6, 9, 10)}  # replaces "node"
        nodejs = label_map(typed)["nodejs"]
        assert nodejs.detail == f"{extensions['nodejs'].description} ({extensions['nodejs'].category})"

        empty = await items_at(s, uri, 10, 6)
        assert {i.label for i in empty} == set(extensions)
        assert edits(empty) == {(10, 6, 10, 6)}
        assert all(i.detail for i in empty)


async def test_profiles_with_their_extensions(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open("extensions:\n  profile: \n")
        items = await items_at(s, uri, 1, 11)
        assert [i.label for i in items] == list(catalog.profiles())
        assert edits(items) == {(1, 11, 1, 11)}
        minimal = label_map(items)["minimal"]
        assert isinstance(minimal.documentation, lsp.MarkupContent)
        listed = ", ".join(f"`{e}`" for e in catalog.profiles()["minimal"].extensions)
        assert minimal.documentation.value.endswith(f"Installs: {listed}")


async def test_keys_inside_a_secrets_list_item(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open(DOC)
        items = await items_at(s, uri, 21, 6)
        assert edits(items) == {(21, 4, 21, 6)}  # replaces "so"
        by_label = label_map(items)
        assert "name" not in by_label  # already in this item
        first = min(items, key=lambda i: i.sort_text or "")
        assert first.label == "source" and first.detail == "string (required)"
        assert new_text(by_label["source"]) == "source: ${1|env,file,vault|}"

        # A new item: its keys, not the previous item's siblings.
        text = DOC.replace("    so\n", "    source: env\n  - \n")
        s.change(uri, text)
        new_item = label_map(await items_at(s, uri, 22, 4))
        assert {"name", "source"} <= set(new_item)
        assert edits(list(new_item.values())) == {(22, 4, 22, 4)}


async def test_utf16_columns_after_astral_characters(tmp_path: Path) -> None:
    async with session(tmp_path, settings={"prerequisiteChecks": False}) as s:
        uri = await s.open('name: "\U0001f680"\ndeployment: {}\nextensions:\n  profile: mi')
        (item,) = [i for i in await items_at(s, uri, 3, 13) if i.label == "minimal"]
        assert isinstance(item.text_edit, lsp.TextEdit)
        assert item.text_edit.range == rng(3, 11, 3, 13)
        uri = await s.open('x: "\U0001f680" # \ndeployment:\n  provider: d', name="u/sindri.yaml")
        assert edits(await items_at(s, uri, 2, 13)) == {(2, 12, 2, 13)}
