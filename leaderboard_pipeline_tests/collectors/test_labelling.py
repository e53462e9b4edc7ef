"""Label rules from metadata, and the reviewed override file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS
from leaderboard_pipeline.core.labelling import (
    OverrideError,
    apply_overrides,
    dataset_labels,
    load_overrides,
    model_labels,
)

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "labels" / "overrides.yaml"


def _models(*rows):
    cols = ("name", "pipeline_tag", "library", "tags", "parameters")
    return pl.DataFrame(
        [{"namespace": "org", **dict(zip(cols, r, strict=True))} for r in rows],
        schema={
            "namespace": pl.String,
            "name": pl.String,
            "pipeline_tag": pl.String,
            "library": pl.String,
            "tags": pl.List(pl.String),
            "parameters": pl.Int64,
        },
    )


def _label(*row):
    out = model_labels(_models(row), "2025-03").row(0, named=True)
    return out["modality"], out["is_large_model"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("SmolLM2-135M", "text-generation", "transformers", ["llama"], 134_515_008), ("Language", False)),
        (("Qwen2.5-0.5B", "text-generation", "transformers", [], 494_032_768), ("Language", False)),
        (("Qwen2.5-7B", "text-generation", "transformers", [], 7_615_616_512), ("Language", True)),
        (("Llama-no-safetensors", "text-generation", "transformers", [], None), ("Language", True)),
        (("bert-base", "fill-mask", "transformers", ["bert"], None), ("Language", False)),
        (("t5-11b", "text2text-generation", "transformers", ["t5"], 11_000_000_000), ("Language", False)),
        (
            ("bge-small", "feature-extraction", "sentence-transformers", ["bert"], 33_000_000),
            ("Vector", True),
        ),
        (("st-model", None, "sentence-transformers", [], None), ("Vector", True)),
        (
            ("whisper-tiny", "automatic-speech-recognition", "transformers", ["whisper"], 39_000_000),
            ("Speech", True),
        ),
        (("qwen-vl", "image-text-to-text", "transformers", [], 8_000_000_000), ("Multimodal", True)),
        (("esm2", None, "transformers", ["esm", "protein"], 650_000_000), ("Protein", True)),
        (("trellis", "image-to-3d", None, [], None), ("3D", True)),
        (("pi0", "robotics", "lerobot", [], None), ("Embodied", True)),
        (("sk-model", "text-classification", "scikit-learn", [], None), ("Language", False)),
        (("mystery", None, None, [], None), (None, None)),
    ],
)
def test_model_rules(row, expected):
    assert _label(*row) == expected


def test_model_labels_schema_and_keys():
    labels = model_labels(
        _models(("a", "text-generation", None, [], 1), ("a", None, None, [], None)), "2025-03"
    )
    assert labels.schema == RAW_SCHEMAS["model_labels"]
    assert labels["key"].to_list() == ["org/a"]  # the same key from two platforms: first one wins


def _datasets(*rows):
    return pl.DataFrame(
        [{"namespace": "org", "name": n, "tags": t} for n, t in rows],
        schema={"namespace": pl.String, "name": pl.String, "tags": pl.List(pl.String)},
    )


@pytest.mark.parametrize(
    ("name", "tags", "expected"),
    [
        ("fineweb-edu", ["modality:text", "size_categories:1B<n<10B"], ("Language", "Pre-training", True)),
        ("Infinity-Instruct", ["modality:text"], ("Language", "Fine-tuning", True)),
        ("ultrafeedback", ["modality:text"], ("Language", "Preference", True)),
        ("MMBench", ["modality:image", "modality:text"], ("Multimodal", "Evaluation", True)),
        (
            "librispeech",
            ["modality:audio", "modality:text", "task_categories:automatic-speech-recognition-sft"],
            ("Speech", "Fine-tuning", True),
        ),
        ("droid", ["LeRobot", "modality:video"], ("Embodied", None, False)),
        ("BAAI-CCI3-HQ", ["文本", "预训练", "中文"], ("Language", "Pre-training", True)),
        ("OpenSeek-Eval", ["评测"], (None, "Evaluation", False)),
        ("misc", [], (None, None, False)),
    ],
)
def test_dataset_rules(name, tags, expected):
    row = dataset_labels(_datasets((name, tags)), "2025-03").row(0, named=True)
    assert (row["modality"], row["lifecycle"], row["is_valid"]) == expected


def test_overrides_win_and_are_case_insensitive():
    overrides = load_overrides(SHIPPED)
    labels = model_labels(
        pl.DataFrame(
            {
                "namespace": ["Google", "openai"],
                "name": ["gemma-3-270M", "whisper-tiny"],
                "pipeline_tag": ["image-text-to-text", "automatic-speech-recognition"],
            }
        ),
        "2025-03",
    )
    assert labels["is_large_model"].to_list() == [True, True]
    fixed = apply_overrides(labels, overrides["models"])
    assert fixed.schema == RAW_SCHEMAS["model_labels"]
    assert fixed.select("modality", "is_large_model").rows() == [("Language", False), ("Speech", True)]


def test_override_file_validation(tmp_path):
    path = tmp_path / "o.yaml"
    bad = {
        "models:\n  - {key: a/b, modality: Language}\n": "needs a non-empty 'who'",
        "models:\n  - {key: a/b, modality: Lang, who: me, why: x}\n": "modality='Lang' is not one of",
        "models:\n  - {key: ab, modality: Language, who: me, why: x}\n": "key must be",
        "datasets:\n  - {key: a/b, who: me, why: x}\n": "overrides nothing",
        "datasets:\n  - {key: a/b, colour: red, who: me, why: x}\n": "unknown fields",
        "models:\n  - {key: a/b, is_large_model: true, who: me, why: x}\n  - {key: A/B, is_large_model: false, who: me, why: y}\n": "duplicate key",
        "labels: []\n": "expected top-level keys",
    }
    for text, message in bad.items():
        path.write_text(text)
        with pytest.raises(OverrideError, match=message):
            load_overrides(path)
