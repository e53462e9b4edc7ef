"""A live crawl of hours starts from a terminal only when asked: `leaderboard run --source live` says how
long, which tokens make it how fast, and needs `--yes` above ten minutes; offline, `--yes` runs and the
failure names every platform."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path

import pytest

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.collectors.plan import LONG_RUN_S
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.sources.live import LiveSource

REGISTRY = settings.DATA_DIR / "registry" / "orgs.yaml"
MOCK_PATH = Path(__file__).parent / "collectors" / "mock_ecosystem.py"
TOKENS = (
    "HF_TOKEN",
    "GITHUB_TOKEN",
    "MODELSCOPE_API_TOKEN",
    "MODELSCOPE_TOKEN",
    "GITEE_TOKEN",
    "GITCODE_TOKEN",
)
URLS = (
    "HF_ENDPOINT",
    "MODELSCOPE_ENDPOINT",
    "GITHUB_API_URL",
    "LEADERBOARD_OPENDATALAB_URL",
    "LEADERBOARD_BAAI_URL",
    "LEADERBOARD_GITEE_URL",
    "LEADERBOARD_GITCODE_URL",
)


@pytest.fixture
def no_tokens(monkeypatch):
    for name in TOKENS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("LEADERBOARD_HTTP_OVERRIDES", raising=False)


@pytest.fixture
def live_month(tmp_path, monkeypatch):
    """Hand inputs for the current month (the only month a live run fetches), collected live."""
    folder = tmp_path / "inputs" / "snapshots" / dt.datetime.now(dt.UTC).strftime("%Y-%m-07")
    folder.mkdir(parents=True)
    (folder / "infra-summary.csv").write_text("org,num_operators,support_lifecycle\nBAAI,10,4\nAli,3,4\n")
    (folder / "eval-summary.csv").write_text("org,num_leaderboards\nBAAI,4\nAli,0\n")
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "off")
    return dt.datetime.now(dt.UTC).strftime("%Y-%m")


def _cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_plan_says_which_tokens_make_it_how_fast(no_tokens, monkeypatch):
    source = LiveSource(REGISTRY, mode="off")
    month = source.months()[0]
    plan = source.plan(month)
    assert plan.needs_consent() and plan.seconds > 3600  # GitHub's 58 / h anonymous
    [github, hf] = plan.helped
    assert (github.name, hf.name) == ("GitHub", "HuggingFace")
    assert github.seconds == plan.seconds and github.token_seconds < LONG_RUN_S
    advice = plan.advice()
    assert re.fullmatch(r"GITHUB_TOKEN: GitHub \d+ h \d\d min -> \d+ min", advice[0]), advice
    assert re.fullmatch(r"HF_TOKEN: HuggingFace \d+ (min|s) -> \d+ (min|s)", advice[1]), advice
    assert plan.seconds_with_tokens == max(p.token_seconds or p.seconds for p in plan.platforms)
    # With GitHub's token the month is minutes: nothing to ask
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    plan = LiveSource(REGISTRY, mode="off").plan(month)
    assert not plan.needs_consent() and [p.name for p in plan.helped] == ["HuggingFace"]
    # A replay is unpaced: nothing to wait for
    assert LiveSource(REGISTRY, Path("."), mode="replay").plan(month).seconds == 0


def test_a_run_of_hours_does_not_start_without_yes(no_tokens, live_month, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("mock_ecosystem_start", MOCK_PATH)
    mock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mock)
    with mock.MockEcosystem() as eco:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        code, out, err = _cli(capsys, "run", "--source", "live")
        assert eco.count() == 0  # not one request
    assert code == 2 and err.count("\n") == 1
    assert re.search(r"a crawl of at least \d+ h \d\d min starts only when asked \(more than 10 min\)", err)
    assert "set GITHUB_TOKEN, or run again with --yes" in err
    assert re.search(r"^    GITHUB_TOKEN: GitHub \d+ h \d\d min -> \d+ min$", out, re.M)
    assert re.search(r"^  with them: at least \d+ min$", out, re.M)
    assert "running" not in out  # no Dagster run
    assert not settings.warehouse_path().exists()


def test_with_yes_an_offline_run_starts_and_names_every_platform(no_tokens, live_month, monkeypatch, capsys):
    for var in URLS:
        monkeypatch.setenv(var, "http://127.0.0.1:9")  # discard port: nothing listens
    code, out, err = _cli(capsys, "run", "--source", "live", "--yes")
    assert code == 2 and err.count("\n") == 1
    assert "starting anyway (--yes)" in out and "running live" in out
    assert (
        "8 platforms failed (HuggingFace, ModelScope, GitHub, OpenDataLab, BAAIData, Gitee, GitCode, OpenI)"
        in err
    )
    assert "leaderboard probe --platform huggingface,modelscope,github,opendatalab,baai,gitee,gitcode" in err
    assert "GitHub: failed: org " in out  # said on the terminal as it happened
