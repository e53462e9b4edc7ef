"""Hand inputs of our own months: every check rule, `inputs new` -> `inputs check` month after month, the
evidence that becomes raw.input_evidence, and a bad input refused before any request."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import httpx
import polars as pl
import pytest
import yaml

from leaderboard_pipeline.cli.main import main
from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config import settings
from leaderboard_pipeline.config.profiles import load_profile
from leaderboard_pipeline.config.registry import load_registry
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.sources.archive import ArchiveSource
from leaderboard_pipeline.sources.combined import CombinedSource, validate_before_run
from leaderboard_pipeline.sources.demo import demo_dir
from leaderboard_pipeline.sources.factory import make_source
from leaderboard_pipeline.sources.hand_inputs import check_month, errors, read_evidence, start_month
from leaderboard_pipeline.sources.hand_inputs.sheets import ERROR, WARNING
from leaderboard_pipeline.sources.live import LiveSource

PROFILE = load_profile("methodology")
REGISTRY = settings.DATA_DIR / "registry" / "orgs.yaml"
INFRA = "org,num_operators,support_lifecycle\nBAAI,10,4\nAli,3,4\nBaidu,0,2\n"
EVAL = "org,num_leaderboards,num_evaluated_models\nBAAI,4,100\nAli,0,12\nBaidu,1,0\n"


def month_folder(root: Path, date: str, infra: str = INFRA, eval_: str = EVAL, **files: str) -> Path:
    """A dated folder with the two summaries and any other file (name with '_' for '-')."""
    folder = root / "snapshots" / date
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "infra-summary.csv").write_text(infra, encoding="utf-8")
    (folder / "eval-summary.csv").write_text(eval_, encoding="utf-8")
    for name, text in files.items():
        (folder / name.replace("_", "-").replace("-csv", ".csv")).write_text(text, encoding="utf-8")
    return folder


def problems_of(root: Path, month: str, profile=PROFILE) -> list[str]:
    return [str(p) for p in check_month(root, month, profile, REGISTRY)]


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# -- summaries ---------------------------------------------------------------------------------------


def test_a_good_month_has_no_problem(tmp_path):
    month_folder(tmp_path, "2026-11-07")
    assert problems_of(tmp_path, "2026-11") == []


def test_unknown_org_names_file_line_column_and_the_closest_registry_name(tmp_path):
    month_folder(tmp_path, "2026-11-07", INFRA.replace("Baidu", "Baidoo"), EVAL.replace("Baidu", "Baidoo"))
    found = check_month(tmp_path, "2026-11", PROFILE, REGISTRY)
    infra = [p for p in found if p.file.name == "infra-summary.csv"]
    assert len(infra) == 1 and infra[0].severity == ERROR
    assert infra[0].line == 4 and infra[0].column == "A (org)"
    assert "'Baidoo' is not in the registry" in str(infra[0]) and "did you mean 'Baidu'?" in str(infra[0])
    assert str(infra[0]).startswith(f"{tmp_path}/snapshots/2026-11-07/infra-summary.csv:4: column A (org):")


def test_letter_case_of_an_org_is_an_error_with_the_registry_spelling(tmp_path):
    month_folder(tmp_path, "2026-11-07", INFRA.replace("BAAI", "baai"), EVAL.replace("BAAI", "baai"))
    assert all("did you mean 'BAAI'?" in p for p in problems_of(tmp_path, "2026-11"))


def test_column_outside_the_profile_names_the_closest_column(tmp_path):
    month_folder(tmp_path, "2026-11-07", INFRA.replace("num_operators", "num_operator"))
    problem = only(problems_of(tmp_path, "2026-11"))
    assert (
        ":1: column B (num_operator): column 'num_operator' is not a system metric of profile methodology"
        in problem
    )
    assert "did you mean 'num_operators'?" in problem


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("", "empty cell (unknown is not 0"),
        ("many", "'many' is not a number"),
        ("-1", "'-1' is negative"),
        ("nan", "'nan' is not a number"),
        ("inf", "'inf' is not a number"),
    ],
)
def test_bad_cells_name_line_and_column(tmp_path, cell, message):
    month_folder(tmp_path, "2026-11-07", INFRA.replace("Ali,3,4", f"Ali,3,{cell}"))
    problem = only(problems_of(tmp_path, "2026-11"))
    assert f"infra-summary.csv:3: column C (support_lifecycle): {message}" in problem


def test_duplicate_org_names_the_first_line(tmp_path):
    month_folder(tmp_path, "2026-11-07", INFRA + "Ali,1,1\n")
    assert only(problems_of(tmp_path, "2026-11")).endswith(
        "infra-summary.csv:5: column A (org): org 'Ali' appears twice (first on line 3)"
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "name,num_operators,support_lifecycle",
            ":1: column A: the first column must be named 'org' (found 'name')",
        ),
        ("org,num_operators,num_operators", ":1: column C (num_operators): duplicate column (first in B)"),
        ("org,,support_lifecycle", ":1: column B: empty column name"),
    ],
)
def test_malformed_header(tmp_path, header, message):
    month_folder(tmp_path, "2026-11-07", INFRA.replace("org,num_operators,support_lifecycle", header))
    assert any(message in p for p in problems_of(tmp_path, "2026-11")), problems_of(tmp_path, "2026-11")


def test_a_row_with_too_few_cells_and_an_empty_org(tmp_path):
    month_folder(tmp_path, "2026-11-07", INFRA + "Meta,1\n,1,1\n", EVAL + "Meta,1,1\n")
    found = problems_of(tmp_path, "2026-11")
    assert any(p.endswith("infra-summary.csv:5: 2 cells, the header has 3") for p in found)
    assert any(p.endswith("infra-summary.csv:6: column A (org): empty org") for p in found)


def test_bom_crlf_and_blank_rows_of_spreadsheet_exports_are_fine(tmp_path):
    folder = month_folder(tmp_path, "2026-11-07")
    (folder / "infra-summary.csv").write_bytes(
        b"\xef\xbb\xbf" + INFRA.replace("\n", "\r\n").encode() + b",,\r\n"
    )
    assert problems_of(tmp_path, "2026-11") == []


def test_not_utf8_and_missing_files(tmp_path):
    folder = month_folder(tmp_path, "2026-11-07")
    (folder / "infra-summary.csv").write_bytes("org,num_operators\nZhipu\xe9,1\n".encode("latin-1"))
    (folder / "eval-summary.csv").unlink()
    found = problems_of(tmp_path, "2026-11")
    assert any("infra-summary.csv: not UTF-8 text" in p for p in found)
    assert any("eval-summary.csv: missing: every month needs its benchmark hand input" in p for p in found)
    assert only(problems_of(tmp_path, "2026-10")).endswith(
        "snapshots: no folder for 2026-10 (start it: leaderboard inputs new --month 2026-10)"
    )


def test_both_files_rank_the_same_orgs(tmp_path):
    month_folder(tmp_path, "2026-11-07", eval_=EVAL.replace("Baidu,1,0\n", ""))
    assert only(problems_of(tmp_path, "2026-11")).endswith(
        "infra-summary.csv:4: column A (org): org 'Baidu' is not in eval-summary.csv"
    )


def test_a_profile_with_explicit_metrics_requires_each(tmp_path):
    doc = yaml.safe_load(PROFILE.path.read_text())
    doc["dimensions"]["system"] = {
        "metrics": [
            {"column": "num_operators", "category": "Operator Library"},
            {
                "column": "num_adapted_chips_frameworks",
                "category": "Parallel Training and Inference Framework",
            },
        ]
    }
    path = tmp_path / "explicit.yaml"
    path.write_text(yaml.safe_dump(doc))
    month_folder(tmp_path, "2026-11-07")
    found = problems_of(tmp_path, "2026-11", load_profile(path))
    assert any(
        "column C (support_lifecycle): column 'support_lifecycle' is not a system metric" in p for p in found
    )
    assert any("column 'num_adapted_chips_frameworks' of profile methodology is missing" in p for p in found)


# -- against last month ------------------------------------------------------------------------------


def test_a_column_dropped_or_added_against_last_month_needs_a_reason(tmp_path):
    month_folder(tmp_path, "2026-10-07")
    month_folder(tmp_path, "2026-11-07", INFRA.replace(",support_lifecycle", ",deep_learning_framework"))
    found = problems_of(tmp_path, "2026-11")
    assert len(found) == 2
    assert "column C (deep_learning_framework): new column: not in last month's" in found[0]
    assert "2026-10-07/infra-summary.csv" in found[0]
    assert "column 'support_lifecycle' of last month's" in found[1] and "is missing" in found[1]
    # a reviewed '*' row in the evidence file explains each change
    reasons = (
        "org,metric,url,note,carried_from\n"
        "*,deep_learning_framework,https://example.org/method,counted from 2026-11,\n"
        "*,support_lifecycle,,no longer measured,\n"
    )
    (tmp_path / "snapshots" / "2026-11-07" / "infra-evidence.csv").write_text(reasons)
    assert problems_of(tmp_path, "2026-11") == []
    # ... but not a carried-forward one (nobody has looked at it this month)
    (tmp_path / "snapshots" / "2026-11-07" / "infra-evidence.csv").write_text(
        reasons.replace(",\n", ",2026-10\n")
    )
    assert len(errors(check_month(tmp_path, "2026-11", PROFILE, REGISTRY))) == 2


def test_an_org_gone_since_last_month_is_a_warning(tmp_path):
    month_folder(tmp_path, "2026-10-07")
    month_folder(tmp_path, "2026-11-07", INFRA.replace("Ali,3,4\n", ""), EVAL.replace("Ali,0,12\n", ""))
    found = check_month(tmp_path, "2026-11", PROFILE, REGISTRY)
    assert [p.severity for p in found] == [WARNING, WARNING]
    assert "org 'Ali' of last month (" in str(found[0]) and "it will not be ranked" in str(found[0])


def test_last_month_is_the_latest_earlier_month_with_the_file(tmp_path):
    month_folder(tmp_path, "2026-09-07", INFRA.replace(",support_lifecycle", ""))
    month_folder(tmp_path, "2026-10-07")
    (tmp_path / "snapshots" / "2026-12-01").mkdir()  # a later month does not count
    month_folder(tmp_path, "2026-11-07")
    assert problems_of(tmp_path, "2026-11") == []


# -- evidence ----------------------------------------------------------------------------------------

EVIDENCE = (
    "org,metric,url,note,carried_from\n"
    "BAAI,num_operators,https://github.com/FlagOpen/FlagGems,operators in the README,\n"
    "Ali,support_lifecycle,,from the 2026 report,\n"
)


def test_evidence_rows_become_raw_input_evidence(tmp_path):
    folder = month_folder(tmp_path, "2026-11-07", infra_evidence_csv=EVIDENCE + "Baidu,num_operators,,,\n")
    assert problems_of(tmp_path, "2026-11") == []
    frame, files = read_evidence(folder, "2026-11")
    assert frame.to_dicts() == [
        {
            "month": "2026-11",
            "dimension": "system",
            "org": "BAAI",
            "metric": "num_operators",
            "url": "https://github.com/FlagOpen/FlagGems",
            "note": "operators in the README",
            "carried_from": None,
        },
        {
            "month": "2026-11",
            "dimension": "system",
            "org": "Ali",
            "metric": "support_lifecycle",
            "url": None,
            "note": "from the 2026 report",
            "carried_from": None,
        },
    ]  # the row that says nothing is left out
    assert [(table, path.name) for table, path, _ in files] == [("input_evidence", "infra-evidence.csv")]


def test_evidence_columns_in_any_order_and_short_rows(tmp_path):
    text = "metric,org,note\nnum_leaderboards,BAAI,counted on the site\nnum_evaluated_models,Ali\n"
    folder = month_folder(tmp_path, "2026-11-07", eval_evidence_csv=text)
    assert problems_of(tmp_path, "2026-11") == []
    assert read_evidence(folder, "2026-11")[0]["note"].to_list() == ["counted on the site"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Baido,num_operators,https://x.org,,",
            ":2: column A (org): org 'Baido' is not an org of infra-summary.csv",
        ),
        ("BAAI,num_operator,https://x.org,,", ":2: column B (metric): metric 'num_operator' is not a column"),
        (
            "BAAI,num_operators,github.com/FlagOpen,,",
            ":2: column C (url): 'github.com/FlagOpen' is not an http(s) URL",
        ),
        (
            "BAAI,num_operators,https://x.org,,2026-11",
            ":2: column E (carried_from): '2026-11' must be an earlier month",
        ),
        ("BAAI,num_operators,https://x.org,,last month", "'last month' must be an earlier month YYYY-MM"),
        (",num_operators,https://x.org,,", ":2: column A (org): empty org"),
        ("BAAI,num_operators,https://x.org,,,extra", ":2: 6 cells, the header has 5"),
    ],
)
def test_bad_evidence_rows(tmp_path, row, message):
    month_folder(tmp_path, "2026-11-07", infra_evidence_csv=f"org,metric,url,note,carried_from\n{row}\n")
    assert message in only(problems_of(tmp_path, "2026-11"))


def test_bad_evidence_header_and_duplicate_rows(tmp_path):
    month_folder(tmp_path, "2026-11-07", infra_evidence_csv="org,metric,link\nBAAI,num_operators,x\n")
    assert "column C (link): column 'link' is not an evidence column" in only(
        problems_of(tmp_path, "2026-11")
    )
    month_folder(tmp_path, "2026-11-07", infra_evidence_csv="org,url\nBAAI,https://x.org\n")
    assert "missing column 'metric'" in only(problems_of(tmp_path, "2026-11"))
    month_folder(tmp_path, "2026-11-07", infra_evidence_csv=EVIDENCE + "BAAI,num_operators,,again,\n")
    assert only(problems_of(tmp_path, "2026-11")).endswith(
        "infra-evidence.csv:4: BAAI/num_operators appears twice (first on line 2)"
    )


def test_carried_forward_values_are_warnings_one_per_org(tmp_path):
    text = (
        "org,metric,url,note,carried_from\n"
        "BAAI,num_operators,,,2026-10\nBAAI,support_lifecycle,,,2026-09\nAli,num_operators,,,\n"
    )
    month_folder(tmp_path, "2026-11-07", infra_evidence_csv=text)
    found = check_month(tmp_path, "2026-11", PROFILE, REGISTRY)
    assert [(p.severity, p.line, p.column) for p in found] == [(WARNING, 2, "E (carried_from)")]
    assert "BAAI: 2 value(s) carried forward from 2026-09, not reviewed" in str(found[0])
    assert ": warning: column E (carried_from):" in str(found[0])


# -- inputs new -> inputs check, month after month ---------------------------------------------------


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8")))


def test_new_then_check_month_after_month(tmp_path, capsys):
    root = str(tmp_path / "inputs")
    # no earlier month: the registry's orgs and the profile's columns, every cell empty
    code, out, _ = cli(
        capsys, "inputs", "new", "--month", "2026-10", "--inputs", root, "--date", "2026-10-07"
    )
    assert code == 0 and "no earlier month" in out
    folder = tmp_path / "inputs" / "snapshots" / "2026-10-07"
    infra = rows(folder / "infra-summary.csv")
    registry = [o.name for o in load_registry(REGISTRY).orgs]
    assert infra[0] == ["org", *PROFILE.dimensions["system"].categories]
    assert [r[0] for r in infra[1:]] == registry and all(r[1:] == [""] * 12 for r in infra[1:])
    code, out, _ = cli(capsys, "inputs", "check", "--month", "2026-10", "--inputs", root)
    assert code == 2 and out.count("empty cell") == len(registry) * (12 + 5)

    # filled in (a spreadsheet export: LF, no evidence given)
    for name in ("infra-summary.csv", "eval-summary.csv"):
        table = rows(folder / name)
        filled = [table[0], *([r[0], *[str(i % 4) for i in range(len(r) - 1)]] for r in table[1:])]
        with (folder / name).open("w", newline="") as out_file:
            csv.writer(out_file, lineterminator="\n").writerows(filled)
    (folder / "infra-evidence.csv").write_text(
        "org,metric,url,note,carried_from\nBAAI,num_operators,https://github.com/FlagOpen/FlagGems,README,\n"
    )
    (folder / "eval-evidence.csv").unlink()
    code, out, _ = cli(capsys, "inputs", "check", "--month", "2026-10", "--inputs", root)
    assert code == 0 and out.strip().endswith(
        f"2026-10: 0 error(s), 0 warning(s) (profile methodology, {root})"
    )

    # the next month starts from this one, every value marked carried forward
    code, out, _ = cli(
        capsys, "inputs", "new", "--month", "2026-11", "--inputs", root, "--date", "2026-11-07"
    )
    assert code == 0 and "carried forward from 2026-10" in out
    nov = tmp_path / "inputs" / "snapshots" / "2026-11-07"
    assert rows(nov / "infra-summary.csv") == rows(folder / "infra-summary.csv")
    evidence = rows(nov / "infra-evidence.csv")
    assert evidence[0] == ["org", "metric", "url", "note", "carried_from"]
    assert len(evidence) - 1 == len(registry) * 12 and all(r[4] == "2026-10" for r in evidence[1:])
    assert evidence[1] == [
        "BAAI",
        "num_operators",
        "https://github.com/FlagOpen/FlagGems",
        "README",
        "2026-10",
    ]
    code, out, _ = cli(capsys, "inputs", "check", "--month", "2026-11", "--inputs", root)
    assert code == 0  # carried-forward values are warnings
    assert out.count("warning:") == 2 * len(registry)
    assert "BAAI: 12 value(s) carried forward from 2026-10, not reviewed" in out

    # starting it again is refused and changes nothing
    before = (nov / "infra-summary.csv").read_bytes()
    code, _, err = cli(capsys, "inputs", "new", "--month", "2026-11", "--inputs", root)
    assert code == 2 and err.count("\n") == 1
    assert "2026-11-07: month 2026-11 already has its hand inputs folder" in err
    assert (nov / "infra-summary.csv").read_bytes() == before

    # BAAI's system values reviewed: one edited, its carried_from cleared
    table = rows(nov / "infra-summary.csv")
    table[1][1] = "155"
    with (nov / "infra-summary.csv").open("w", newline="") as out_file:
        csv.writer(out_file, lineterminator="\n").writerows(table)
    reviewed = [r[:4] + [""] if r[0] == "BAAI" else r for r in evidence]
    with (nov / "infra-evidence.csv").open("w", newline="") as out_file:
        csv.writer(out_file, lineterminator="\n").writerows(reviewed)
    code, out, _ = cli(capsys, "inputs", "check", "--month", "2026-11", "--inputs", root)
    assert code == 0 and "BAAI: 12" not in out and "BAAI: 5 value(s)" in out
    assert out.count("warning:") == 2 * len(registry) - 1
    frame = read_evidence(nov, "2026-11")[0]
    baai = frame.filter(pl.col("org") == "BAAI", pl.col("dimension") == "system")
    assert baai.height == 1 and baai["carried_from"].to_list() == [None]  # reviewed rows that say nothing go

    # a value never reviewed keeps the month it was first carried from
    start_month(tmp_path / "inputs", "2026-12", PROFILE, REGISTRY, date="2026-12-07")
    dec = {
        (r[0], r[1]): r[4]
        for r in rows(tmp_path / "inputs" / "snapshots" / "2026-12-07" / "infra-evidence.csv")
    }
    assert dec["BAAI", "num_operators"] == "2026-11" and dec["Ali", "num_operators"] == "2026-10"
    assert rows(tmp_path / "inputs" / "snapshots" / "2026-12-07" / "infra-summary.csv")[1][1] == "155"


def test_new_needs_a_month_and_a_date_inside_it(tmp_path, capsys):
    root = str(tmp_path / "inputs")
    code, _, err = cli(capsys, "inputs", "new", "--inputs", root)
    assert code == 2 and "--month YYYY-MM is required" in err
    code, _, err = cli(capsys, "inputs", "new", "--month", "2026-13", "--inputs", root)
    assert code == 2 and "'2026-13' is not a month" in err
    code, _, err = cli(
        capsys, "inputs", "new", "--month", "2026-11", "--inputs", root, "--date", "2026-12-01"
    )
    assert code == 2 and "not in month 2026-11" in err
    assert not (tmp_path / "inputs" / "snapshots").exists() or not any(
        (tmp_path / "inputs" / "snapshots").iterdir()
    )
    code, _, err = cli(capsys, "inputs", "check", "--inputs", root)
    assert code == 2 and "no month yet" in err


def test_a_failed_start_leaves_no_half_written_month(tmp_path, monkeypatch):
    import leaderboard_pipeline.sources.hand_inputs.start as hand_inputs

    month_folder(tmp_path, "2026-10-07")

    real = hand_inputs._start_dimension

    def fail_on_the_second_file(root, month, dimension, *rest):
        if dimension == "benchmark":
            raise OSError("disk full")
        real(root, month, dimension, *rest)

    monkeypatch.setattr(hand_inputs, "_start_dimension", fail_on_the_second_file)
    with pytest.raises(OSError, match="disk full"):
        start_month(tmp_path, "2026-11", PROFILE, REGISTRY)
    assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == ["2026-10-07"]


# -- the sources: validate first, then collect -------------------------------------------------------


def current_month_inputs(root: Path, infra: str = INFRA, eval_: str = EVAL) -> str:
    """The live source can only fetch the current month."""
    today = dt.datetime.now(dt.UTC).date()
    month_folder(root, today.strftime("%Y-%m-07"), infra, eval_)
    return today.strftime("%Y-%m")


def test_live_month_with_an_unknown_org_is_refused_before_any_request(tmp_path):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    month = current_month_inputs(tmp_path, INFRA.replace("Baidu", "Baidoo"), EVAL.replace("Baidu", "Baidoo"))
    live = LiveSource(
        REGISTRY, None, "off", transports={key: httpx.MockTransport(answer) for key in PLATFORMS}
    )
    source = CombinedSource(live, tmp_path, name="live", archive_months=False)
    with pytest.raises(SourceError) as err:
        source.read_month(month)
    message = str(err.value)
    assert "infra-summary.csv:4: column A (org): org 'Baidoo' is not in the registry" in message
    assert "did you mean 'Baidu'?" in message and "(+1 more: leaderboard inputs check --month" in message
    assert seen == []


def test_cli_live_run_refuses_bad_hand_inputs_before_the_run_starts(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location(
        "mock_ecosystem_inputs", Path(__file__).parent / "collectors" / "mock_ecosystem.py"
    )
    mock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mock)
    current_month_inputs(tmp_path / "inputs", INFRA.replace("Baidu", "Baidoo"), EVAL)
    monkeypatch.setenv(settings.ENV_INPUTS, str(tmp_path / "inputs"))
    monkeypatch.setenv("LEADERBOARD_CASSETTES", "off")
    with mock.MockEcosystem() as eco:
        for var, url in eco.env().items():
            monkeypatch.setenv(var, url)
        code, out, err = cli(capsys, "run", "--source", "live")
        assert eco.count() == 0
    assert code == 2 and err.count("\n") == 1
    assert "infra-summary.csv:4: column A (org): org 'Baidoo' is not in the registry" in err
    assert "running" not in out  # no Dagster run was started
    assert not settings.warehouse_path().exists()


def test_the_demo_passes_the_same_checks_and_carries_its_evidence():
    source = make_source("demo")
    assert validate_before_run(source, source.months(), PROFILE) == []
    tables = source.read_month("2025-03")  # the cassette month: collected + hand inputs
    evidence = tables["input_evidence"]
    assert set(evidence["dimension"]) == {"system", "benchmark"} and (evidence["month"] == "2025-03").all()
    new_column = evidence.filter(pl.col("org") == "*")
    assert new_column["metric"].to_list() == ["num_adapted_chips_ai_compiler"]
    assert evidence["url"].drop_nulls().str.starts_with("https://").all()
    manifest = tables["snapshot_manifest"].filter(pl.col("table") == "input_evidence")
    assert sorted(Path(p).name for p in manifest["location"]) == ["eval-evidence.csv", "infra-evidence.csv"]
    assert source.read_month("2025-01")["input_evidence"].height > 0  # an archive-layout month of the demo
    assert source.read_month("2024-12")["input_evidence"].is_empty()  # a month without hand inputs


def test_the_archive_keeps_its_published_behaviour(tmp_path):
    """What the published archive itself breaks is read as published and counted (an empty cell is 0);
    evidence files are not read. What it never breaks is refused as ours is (issue 17): an org that is
    not in its registry."""
    archive = tmp_path / "archive"
    shutil.copytree(demo_dir(), archive, ignore=shutil.ignore_patterns(".fingerprint"))
    path = archive / "snapshots" / "2025-02-14" / "infra-summary.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("BAAI,150,", "BAAI,,", 1))
    tables = ArchiveSource(archive).read_month("2025-02")
    baai = tables["system_inputs"].filter(pl.col("org") == "BAAI")
    assert baai.filter(pl.col("metric") == "num_operators")["value"].to_list() == [0.0]
    detail = tables["snapshot_manifest"].filter(pl.col("table") == "system_inputs")["detail"][0]
    assert detail.startswith("published defects kept as read: empty_cells=1 (infra-summary.csv:")
    assert (archive / "snapshots" / "2025-02-14" / "infra-evidence.csv").exists()
    assert tables["input_evidence"].is_empty()
    path.write_text(text.replace("BAAI,150,", "Baidoo,150,", 1))
    with pytest.raises(SourceError, match=r"infra-summary\.csv:2: column A \(org\): org 'Baidoo' is not in"):
        ArchiveSource(archive).read_month("2025-02")
