"""Scoring profiles load from YAML and reject what they cannot mean."""

from __future__ import annotations

import pytest

from leaderboard_pipeline.config.profiles import ProfileError, load_profile


def test_bundled_profiles():
    default = load_profile("methodology")
    assert (default.normalisation, default.combine) == ("minmax", "mean")
    assert not default.cleaning.case_sensitive_orgs and not default.cleaning.count_duplicates
    published = load_profile("osir-published")
    assert (published.normalisation, published.combine) == ("max", "rank_discount")
    assert published.weights == pytest.approx(
        {"data": 1 / 6, "model": 0.5, "system": 1 / 6, "benchmark": 1 / 6}
    )
    assert "num_embodied" in default.metric_columns("model")
    assert "num_embodied" not in published.metric_columns("model")
    assert published.metric_columns("system") is None  # every column of the month's hand input
    system = default.dimensions["system"]
    assert system.inputs and "repo_commits" in default.metric_columns("system")  # inputs, then activity
    assert "num_unknown_licence" in default.dimensions["model"].unscored
    assert default.intervals.rounds == 1000 and published.intervals is None
    assert published.cleaning.accumulate_skip_first_month and not default.cleaning.accumulate_skip_first_month


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("normalisation: zscore", "normalisation must be one of"),
        ("combine: {method: mean, weights: {data: 'import os'}}", "not a number or a fraction"),
        ("cleaning: {no_such_rule: true}", "unknown cleaning switch"),
        ("dimensions: {}", "dimensions.data is missing"),
        ("intervals: {rounds: 5}", "intervals.rounds must be an integer >= 10"),
        ("intervals: {level: 1.5}", "intervals.level must be between 0 and 1"),
        ("intervals: {runs: 5}", "intervals must be a mapping with keys"),
    ],
)
def test_bad_profiles_name_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ProfileError, match=message):
        load_profile(path)


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(ProfileError, match="known: methodology, osir-published"):
        load_profile("nope")
