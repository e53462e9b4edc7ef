"""The organisation registry: the shipped file, validation errors, case-insensitive resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard_pipeline.config.registry import RegistryError, load_registry
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "registry" / "orgs.yaml"


def test_shipped_registry_matches_the_published_org_links():
    reg = load_registry(SHIPPED)
    assert len(reg.orgs) == 32
    counts = {
        p: len(reg.namespaces(p)) for p in ("huggingface", "modelscope", "opendatalab", "baai", "openi")
    }
    # OpenI is ours (cited accounts only; the published links have none)
    assert counts == {"huggingface": 69, "modelscope": 24, "opendatalab": 5, "baai": 1, "openi": 2}
    assert reg.resolve("openi", "mindspore") == "Huawei"
    assert reg.resolve("HuggingFace", "thudm") == "Zhipu"
    assert reg.resolve("modelscope", "openbmb") == "OpenBMB"  # the raw rows' spelling of OpenBMB
    assert reg.resolve("huggingface", "mteb") is None
    assert {r.platform for r in reg.code_repos()} == {"github", "gitee", "gitcode"}


def test_to_frame_has_the_raw_schema():
    frame = load_registry(SHIPPED).to_frame("2025-03")
    assert frame.schema == RAW_SCHEMAS["org_registry"]
    assert frame.height == 69 + 24 + 5 + 1 + 2
    assert set(frame["platform"]) == {"HuggingFace", "ModelScope", "OpenDataLab", "BAAIData", "OpenI"}


def _write(tmp_path, text):
    path = tmp_path / "orgs.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "orgs:\n  A: {huggingface: [x]}\n  B: {huggingface: [X]}\n",
            r"org 'B'.huggingface: namespace 'X' is already listed under org 'A'",
        ),
        ("orgs:\n  A: {githab: [x]}\n", r"org 'A': unknown platform\(s\) \['githab'\]"),
        ("orgs:\n  '': {huggingface: [x]}\n", "empty name"),
        ("orgs:\n  A: {huggingface: ['']}\n", r"org 'A'.huggingface: expected a list of non-empty names"),
        ("orgs:\n  A: {repos: {system: [github:onlyowner]}}\n", r"'github:onlyowner' must look like"),
        ("orgs:\n  A: {repos: {infra: [github:a/b]}}\n", "expected a mapping with keys"),
        ("orgs: []\n", "expected a top-level mapping"),
        ("orgs:\n  A: {}\n", "org 'A': empty org"),
        ("orgs: {A: [\n", "cannot read registry"),
    ],
)
def test_validation_errors_name_file_and_entry(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(RegistryError, match=message) as err:
        load_registry(path)
    assert str(path) in str(err.value)


def test_same_namespace_on_two_platforms_is_fine(tmp_path):
    reg = load_registry(_write(tmp_path, "orgs:\n  A: {huggingface: [x], modelscope: [x]}\n"))
    assert reg.resolve("ModelScope", "X") == "A"
    with pytest.raises(RegistryError, match="unknown orgs"):
        reg.subset(["B"])
