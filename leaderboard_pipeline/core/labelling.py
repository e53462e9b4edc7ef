"""Labels from platform metadata: explicit rules, then a reviewed override file.

Models get a modality and a large-model flag, datasets a modality, a lifecycle stage and a validity flag.
The published labels came from an LLM with web search (osir-method.md §4.3-4.4); these rules are
deliberately simple, inspectable and tested, and `data/labels/overrides.yaml` fixes what they get wrong,
each override carrying who decided and why.

Large-model rule (the method's stated rule, made real here):
- a Language model with a known parameter count under 500 M is not large;
- models from pre-transformer libraries (scikit-learn, fastText, spaCy, ...) or of the BERT / T5 family are
  not large, except embedding / reranker models (modality Vector), which the method counts as large;
- otherwise a model whose modality is known is large; with neither modality nor parameters: unknown.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS

MODEL_MODALITIES = ("Language", "Speech", "Vision", "Multimodal", "Vector", "Protein", "3D", "Embodied")
DATASET_MODALITIES = ("Language", "Speech", "Vision", "Multimodal", "Embodied")
LIFECYCLES = ("Pre-training", "Fine-tuning", "Preference", "Evaluation")
SMALL_LANGUAGE_MODEL = 500_000_000

# Pipeline tags (HF) and task names (ModelScope) -> modality.
TASK_MODALITY = {
    **dict.fromkeys(
        [
            "text-generation",
            "text2text-generation",
            "fill-mask",
            "text-classification",
            "token-classification",
            "question-answering",
            "summarization",
            "translation",
            "zero-shot-classification",
            "table-question-answering",
            "chat",
            "text-generation-inference",
        ],
        "Language",
    ),
    **dict.fromkeys(
        ["feature-extraction", "sentence-similarity", "text-ranking", "sentence-embedding", "text-retrieval"],
        "Vector",
    ),
    **dict.fromkeys(
        [
            "automatic-speech-recognition",
            "auto-speech-recognition",
            "text-to-speech",
            "audio-classification",
            "audio-to-audio",
            "text-to-audio",
            "voice-activity-detection",
            "speaker-verification",
        ],
        "Speech",
    ),
    **dict.fromkeys(
        [
            "image-classification",
            "object-detection",
            "image-segmentation",
            "depth-estimation",
            "image-to-image",
            "unconditional-image-generation",
            "mask-generation",
            "zero-shot-object-detection",
            "image-feature-extraction",
            "keypoint-detection",
            "video-classification",
        ],
        "Vision",
    ),
    **dict.fromkeys(
        [
            "image-text-to-text",
            "visual-question-answering",
            "image-to-text",
            "text-to-image",
            "text-to-video",
            "image-to-video",
            "document-question-answering",
            "any-to-any",
            "zero-shot-image-classification",
            "video-text-to-text",
            "audio-text-to-text",
            "visual-document-retrieval",
        ],
        "Multimodal",
    ),
    **dict.fromkeys(["image-to-3d", "text-to-3d"], "3D"),
    **dict.fromkeys(["robotics", "reinforcement-learning"], "Embodied"),
}
LIBRARY_MODALITY = {"sentence-transformers": "Vector", "diffusers": "Multimodal", "lerobot": "Embodied"}
PROTEIN_TAGS = ["protein", "protein-language-model", "esm", "biology"]
# Pre-transformer libraries, and architectures the method names as "not large" (BERT, T5 and relatives).
NOT_LARGE_LIBRARIES = [
    "scikit-learn",
    "sklearn",
    "fasttext",
    "spacy",
    "flair",
    "stable-baselines3",
    "ml-agents",
]
NOT_LARGE_ARCHITECTURES = [
    "bert",
    "roberta",
    "distilbert",
    "albert",
    "electra",
    "t5",
    "mt5",
    "bart",
    "xlm-roberta",
]

# Dataset tags (HF `modality:` tags, BAAI / ModelScope Chinese tags) -> modality.
DATASET_TAG_MODALITY = {
    "modality:text": "Language",
    "modality:tabular": "Language",
    "文本": "Language",
    "modality:image": "Vision",
    "modality:video": "Vision",
    "图像": "Vision",
    "图片": "Vision",
    "视频": "Vision",
    "modality:audio": "Speech",
    "语音": "Speech",
    "音频": "Speech",
    "多模态": "Multimodal",
    "task_categories:robotics": "Embodied",
    "LeRobot": "Embodied",
    "具身": "Embodied",
}
# Lifecycle, first match wins: name / tag patterns (lower-cased).
LIFECYCLE_PATTERNS = [
    ("Evaluation", r"bench|eval|leaderboard|test[-_]?set|评测|评估|benchmark"),
    ("Preference", r"preference|dpo|rlhf|reward|feedback|偏好"),
    ("Fine-tuning", r"instruct|sft|chat|dialog|conversation|微调|指令|task_categories:question-answering"),
    ("Pre-training", r"pretrain|pre-train|corpus|web|crawl|pile|预训练|语料|size_categories:(100m|1b|10b)"),
]


def _tags_text() -> pl.Expr:
    return pl.col("tags").fill_null([]).list.join(" ").str.to_lowercase()


def _has_tag(values: list[str]) -> pl.Expr:
    return pl.col("tags").fill_null([]).list.eval(pl.element().str.to_lowercase().is_in(values)).list.any()


def model_labels(models: pl.DataFrame, month: str) -> pl.DataFrame:
    """`model_labels` rows for records with namespace, name, pipeline_tag, library, tags, parameters."""
    frame = _with_meta(models)
    modality = (
        pl.when(_has_tag(PROTEIN_TAGS))
        .then(pl.lit("Protein"))
        .otherwise(
            pl.coalesce(
                pl.col("pipeline_tag").replace_strict(TASK_MODALITY, default=None, return_dtype=pl.String),
                pl.col("library").replace_strict(LIBRARY_MODALITY, default=None, return_dtype=pl.String),
            )
        )
    )
    legacy = pl.col("library").str.to_lowercase().is_in(NOT_LARGE_LIBRARIES).fill_null(False) | (
        _has_tag(NOT_LARGE_ARCHITECTURES) & (pl.col("modality") != "Vector")
    )
    large = (
        pl.when(legacy)
        .then(False)
        .when((pl.col("modality") == "Language") & (pl.col("parameters") < SMALL_LANGUAGE_MODEL))
        .then(False)
        .when(pl.col("modality").is_not_null() | pl.col("parameters").is_not_null())
        .then(True)
        .otherwise(None)
    )
    labels = (
        frame.with_columns(modality=modality)
        .with_columns(
            is_large_model=large, key=pl.col("namespace") + "/" + pl.col("name"), month=pl.lit(month)
        )
        .unique("key", keep="first", maintain_order=True)
    )
    return _conform("model_labels", labels)


def dataset_labels(datasets: pl.DataFrame, month: str) -> pl.DataFrame:
    """`dataset_labels` rows: modality from tags, lifecycle from name and tags, valid when both are known."""
    frame = _with_meta(datasets)
    tag_modalities = (
        pl.col("tags")
        .fill_null([])
        .list.eval(
            pl.element()
            .replace_strict(DATASET_TAG_MODALITY, default=None, return_dtype=pl.String)
            .drop_nulls()
        )
    )
    modality = (
        pl.when(tag_modalities.list.contains("Embodied"))
        .then(pl.lit("Embodied"))
        .when(tag_modalities.list.contains("Multimodal"))
        .then(pl.lit("Multimodal"))
        # Speech datasets carry transcripts too: audio with text is still Speech.
        .when(tag_modalities.list.contains("Speech") & ~tag_modalities.list.contains("Vision"))
        .then(pl.lit("Speech"))
        .when(tag_modalities.list.contains("Vision") & tag_modalities.list.contains("Language"))
        .then(pl.lit("Multimodal"))
        .otherwise(tag_modalities.list.first())
    )
    text = pl.col("name").str.to_lowercase() + " " + _tags_text()
    lifecycle = pl.lit(None, dtype=pl.String)
    for stage, pattern in reversed(LIFECYCLE_PATTERNS):
        lifecycle = pl.when(text.str.contains(pattern)).then(pl.lit(stage)).otherwise(lifecycle)
    valid = pl.col("modality").is_not_null() & pl.col("lifecycle").is_not_null()
    labels = (
        frame.with_columns(modality=modality, lifecycle=lifecycle)
        .with_columns(is_valid=valid, key=pl.col("namespace") + "/" + pl.col("name"), month=pl.lit(month))
        .unique("key", keep="first", maintain_order=True)
    )
    return _conform("dataset_labels", labels)


def _with_meta(frame: pl.DataFrame) -> pl.DataFrame:
    meta = {
        "pipeline_tag": pl.String,
        "library": pl.String,
        "tags": pl.List(pl.String),
        "parameters": pl.Int64,
    }
    return frame.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in meta.items() if c not in frame.columns]
    ).with_columns([pl.col(c).cast(t) for c, t in meta.items()])


def _conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in RAW_SCHEMAS[table].items()
        ]
    )


# -- overrides -----------------------------------------------------------------------------------------
class OverrideError(ValueError):
    """The override file is malformed; the message names the file and entry."""


_FIELDS = {
    "models": {"modality": MODEL_MODALITIES, "is_large_model": (True, False)},
    "datasets": {"modality": DATASET_MODALITIES, "lifecycle": LIFECYCLES, "is_valid": (True, False)},
}


def load_overrides(path: Path | str) -> dict[str, pl.DataFrame]:
    """Validated overrides: {"models": frame, "datasets": frame}, each with key, the fields, who, why."""
    path = Path(path)
    doc = yaml.safe_load(path.read_text()) or {}
    if not isinstance(doc, dict) or set(doc) - set(_FIELDS):
        raise OverrideError(f"{path}: expected top-level keys {sorted(_FIELDS)}")
    out = {}
    for kind, fields in _FIELDS.items():
        rows, seen = [], set()
        for i, entry in enumerate(doc.get(kind) or []):
            where = f"{path}: {kind}[{i}]"
            if not isinstance(entry, dict):
                raise OverrideError(f"{where}: expected a mapping")
            key = str(entry.get("key") or "")
            where += f" ({key})"
            if key.count("/") != 1 or "" in key.split("/"):
                raise OverrideError(f"{where}: key must be '<namespace>/<name>'")
            if key.casefold() in seen:
                raise OverrideError(f"{where}: duplicate key")
            seen.add(key.casefold())
            for required in ("who", "why"):
                if not str(entry.get(required) or "").strip():
                    raise OverrideError(f"{where}: every override needs a non-empty {required!r}")
            unknown = set(entry) - set(fields) - {"key", "who", "why"}
            if unknown:
                raise OverrideError(f"{where}: unknown fields {sorted(unknown)}; allowed {sorted(fields)}")
            if not set(entry) & set(fields):
                raise OverrideError(f"{where}: overrides nothing; set one of {sorted(fields)}")
            for f, allowed in fields.items():
                if f in entry and entry[f] is not None and entry[f] not in allowed:
                    raise OverrideError(f"{where}: {f}={entry[f]!r} is not one of {list(allowed)}")
            rows.append(entry)
        schema = {"key": pl.String, **{f: RAW_SCHEMAS[f"{kind[:-1]}_labels"][f] for f in fields}}
        frame = pl.DataFrame(
            [{c: r.get(c) for c in schema} for r in rows],
            schema=schema,
        )
        # Which fields each override sets (an override may set a field to null on purpose).
        present = pl.DataFrame(
            [{f"set_{f}": f in r for f in fields} for r in rows],
            schema={f"set_{f}": pl.Boolean for f in fields},
        )
        out[kind] = pl.concat([frame, present], how="horizontal")
    return out


def apply_overrides(labels: pl.DataFrame, overrides: pl.DataFrame) -> pl.DataFrame:
    """Overrides win over rules, matched on the key case-insensitively; rows not labelled are not added."""
    fields = [c.removeprefix("set_") for c in overrides.columns if c.startswith("set_")]
    joined = labels.with_columns(_k=pl.col("key").str.to_lowercase()).join(
        overrides.drop("key").with_columns(_k=overrides["key"].str.to_lowercase()),
        on="_k",
        how="left",
        suffix="_override",
    )
    return joined.select(
        [
            pl.when(pl.col(f"set_{c}").fill_null(False))
            .then(pl.col(f"{c}_override"))
            .otherwise(pl.col(c))
            .alias(c)
            if c in fields
            else pl.col(c)
            for c in labels.columns
        ]
    )
