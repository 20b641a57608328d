"""Pure functions: quantities, state mapping, kind/k3d detection, parsing of the tools' lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sindri.providers.errors import ProviderError, ToolOutputError
from sindri.providers.kubernetes import (
    cluster_kind,
    parse_k3d_clusters,
    parse_kind_clusters,
    pod_state,
    quantity,
)
from sindri.providers.types import DeploymentState as S


@pytest.mark.parametrize(
    ("size", "expected"), [("4GB", "4Gi"), ("512MB", "512Mi"), ("20GB", "20Gi"), ("010GB", "10Gi")]
)
def test_quantity(size: str, expected: str) -> None:
    assert quantity(size) == expected


@pytest.mark.parametrize("size", ["4G", "4Gi", "", "GB", "4 GB"])
def test_quantity_rejects(size: str) -> None:
    with pytest.raises(ProviderError):
        quantity(size)


def pod(
    phase: str, ready: bool = False, waiting: str | None = None, deleting: bool = False
) -> dict[str, Any]:
    state: dict[str, Any] = {"waiting": {"reason": waiting, "message": "m"}} if waiting else {"running": {}}
    meta: dict[str, Any] = {"name": "p"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-15T10:00:00Z"
    return {
        "metadata": meta,
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [{"name": "sindri", "state": state}],
        },
    }


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (pod("Running", ready=True), S.RUNNING),
        (pod("Running", ready=False), S.CREATING),
        (pod("Pending", waiting="ContainerCreating"), S.CREATING),
        (pod("Pending", waiting="PodInitializing"), S.CREATING),
        (pod("Pending", waiting="ImagePullBackOff"), S.ERROR),
        (pod("Pending", waiting="ErrImagePull"), S.ERROR),
        (pod("Running", waiting="CrashLoopBackOff"), S.ERROR),
        (pod("Pending", waiting="CreateContainerConfigError"), S.ERROR),
        (pod("Pending", waiting="InvalidImageName"), S.ERROR),
        (pod("Succeeded"), S.STOPPED),
        (pod("Failed"), S.ERROR),
        (pod("Unknown"), S.UNKNOWN),
        (pod("Whatever"), S.UNKNOWN),
        (pod("Running", ready=True, deleting=True), S.STOPPED),
    ],
)
def test_pod_state(item: dict[str, Any], expected: S) -> None:
    assert pod_state(item) is expected


def test_detection_needs_confirmation_from_the_tool() -> None:
    assert cluster_kind("kind-sindri-local", ["sindri-local"], []) == ("kind", "sindri-local")
    assert cluster_kind("k3d-dev", [], ["dev"]) == ("k3d", "dev")
    # prefix alone is not enough, and a local kind cluster does not make a remote context "kind"
    assert cluster_kind("kind-gone", ["other"], []) == ("remote", "kind-gone")
    assert cluster_kind("prod-eks", ["sindri-local"], ["dev"]) == ("remote", "prod-eks")
    # names are compared exactly, not by substring
    assert cluster_kind("kind-sindri", ["sindri-local"], []) == ("remote", "kind-sindri")


def test_parse_kind_clusters() -> None:
    assert parse_kind_clusters("sindri-local\nother\n") == ["sindri-local", "other"]
    assert parse_kind_clusters("") == []


def test_parse_k3d_clusters() -> None:
    data = [{"name": "dev", "nodes": [{"name": "k3d-dev-server-0"}], "serversRunning": 1}]
    assert parse_k3d_clusters(json.dumps(data, separators=(",", ":")) + "\n") == ["dev"]
    assert parse_k3d_clusters("[]\n") == []
    with pytest.raises(ToolOutputError):
        parse_k3d_clusters("<html>oops")
    with pytest.raises(ToolOutputError):
        parse_k3d_clusters('{"name": "dev"}')
