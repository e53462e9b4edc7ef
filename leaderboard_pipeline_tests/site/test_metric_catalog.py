"""The metric catalog: every file of data/metric_catalog/ merged, strict about its own format, and
complete for every metric column of both profiles."""

from __future__ import annotations

import pytest

from leaderboard_pipeline.config.metric_catalog import (
    KINDS,
    CatalogError,
    MetricEntry,
    describe,
    humanise,
    load_catalog,
)
from leaderboard_pipeline.config.profiles import load_profile

ENTRY = "    label: Operators\n    kind: count\n    definition: Operators in the library.\n"


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_the_committed_catalog_covers_every_profile_column_including_hand_inputs():
    catalog = load_catalog()
    for name in ("methodology", "osir-published"):
        profile = load_profile(name)
        for dim, spec in profile.dimensions.items():
            columns = [m.column for m in spec.metrics] if spec.metrics else list(spec.categories)
            missing = [c for c in columns if (dim, c) not in catalog]
            assert not missing, f"{name}: {dim} columns without a catalog entry: {missing}"
    assert all(entry.kind in KINDS and entry.label and entry.definition for entry in catalog.values())
    assert catalog[("system", "support_cross_chip_communication")].kind == "flag"
    assert catalog[("model", "downloads_language")].platforms() == ("huggingface", "modelscope", "labels")


def test_files_are_merged_and_a_column_defined_twice_names_both_files(tmp_path):
    _write(tmp_path, "a.yaml", "system:\n  num_operators:\n" + ENTRY)
    _write(tmp_path, "b.yaml", "model:\n  stars:\n    label: Stars\n    kind: count\n    definition: d\n")
    catalog = load_catalog(tmp_path)
    assert set(catalog) == {("system", "num_operators"), ("model", "stars")}
    _write(tmp_path, "c.yaml", "system:\n  num_operators:\n" + ENTRY)
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert "c.yaml" in str(err.value) and "a.yaml" in str(err.value) and "num_operators" in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("system:\n  x:\n    label: X\n    kind: percent\n    definition: d\n", "kind must be one of"),
        ("system:\n  x:\n    kind: count\n    definition: d\n", "label is missing"),
        ("system:\n  x:\n    label: X\n    kind: count\n", "definition is missing"),
        ("system:\n  x:\n    label: X\n    kind: count\n    definition: d\n    weight: 2\n", "unknown field"),
        ("system:\n  x:\n    label: X\n    kind: count\n    definition: d\n    sources: web\n", "sources"),
        ("infra:\n  x:\n" + ENTRY, "unknown dimension 'infra'"),
        ("system: [a, b]\n", "expected a mapping"),
        ("system:\n  x: [\n", "not valid YAML"),
    ],
)
def test_a_bad_entry_is_one_line_naming_the_file(tmp_path, text, message):
    _write(tmp_path, "bad.yaml", text)
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert message in str(err.value)
    assert str(tmp_path / "bad.yaml") in str(err.value) and "\n" not in str(err.value)


def test_a_column_without_an_entry_gets_a_humanised_label_and_kind_number():
    entry = describe({}, "system", "support_heterogeneous_training_frameworks")
    assert entry == MetricEntry("Support heterogeneous training frameworks", "number")
    assert humanise("num_3d") == "Num 3d"
    known = MetricEntry("Operators", "count", "d", ("inputs.system",))
    assert describe({("system", "num_operators"): known}, "system", "num_operators") is known
