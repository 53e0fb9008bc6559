"""Tests for ``chengxin mpe``: what a verifier types, what comes back, and the exit code."""

from __future__ import annotations

import json

import pytest

from chengxin.verification.mpe_cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- MPE ----------------------------------------------------------------------------------------


def test_mpe_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    # 2505 g on e = 5 g is 501 e: past the 500 e boundary, so ±1 e.
    code, out, err = run(capsys, "--class", "III", "--e", "5g", "--load", "2505g")
    assert code == 0
    assert out == ("MPE at 2505 g (class III, e = 5 g, initial/subsequent verification): ±5 g\n")
    assert err == ""


def test_mpe_in_service_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--class", "III", "--e", "5g", "--load", "12kg", "--in-service")
    assert code == 0
    assert out == "MPE at 12000 g (class III, e = 5 g, in service): ±15 g\n"


def test_mpe_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--class", "III", "--e", "5g", "--load", "12kg", "--max", "15kg", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "mpe_g": "7.5",
        "mpe_e": "1.5",
        "load_g": "12000",
        "load_e": "2400",
        "class": "III",
        "e_g": "5",
        "max_g": "15000",
        "highest_load_g": "15045",
        "in_service": False,
        "stage": "initial/subsequent verification",
    }


def test_mpe_as_json_in_service_at_a_boundary(capsys: pytest.CaptureFixture[str]) -> None:
    # 500 e exactly takes the smaller limit: 0.5 e, doubled in service to 1 e = 5 g.
    code, out, _ = run(
        capsys, "--class", "III", "--e", "5g", "--load", "2.5kg", "--in-service", "--json"
    )
    assert code == 0
    assert json.loads(out)["mpe_g"] == "5"


def test_mpe_accepts_milligrams_and_lower_case_class(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--class", "ii", "--e", "10mg", "--load", "50g", "--json")
    assert code == 0
    assert json.loads(out)["mpe_g"] == "0.005"


# --- Configuration check ------------------------------------------------------------------------


def test_valid_configuration_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--class", "III", "--e", "5g", "--max", "15kg", "--min", "100g", "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["valid"] is True
    assert result["reasons"] == []
    assert result["n"] == "3000"
    assert (result["n_min"], result["n_max"]) == (500, 10000)
    assert result["smallest_min_g"] == "100"
    assert result["highest_indication_g"] == "15045"


def test_invalid_configuration_as_json_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--class", "III", "--e", "5g", "--max", "15kg", "--min", "50g", "--json"
    )
    assert code == 1
    result = json.loads(out)
    assert result["valid"] is False
    assert result["reasons"] == [
        "Min = 50 g is below 20 e = 100 g, the minimum for class III with e >= 5 g"
    ]
    assert err == ""


def test_configuration_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--class", "III", "--e", "5g", "--max", "15kg")
    assert code == 0
    assert out.splitlines() == [
        "Configuration (class III, e = 5 g, Max = 15000 g): valid",
        "  n = Max/e = 3000 (class III with e >= 5 g: 500 to 10000)",
        "  smallest Min allowed: 20 e = 100 g",
        "  highest indication: Max + 9 e = 15045 g",
    ]


def test_invalid_configuration_in_words_lists_the_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--class", "III", "--e", "3g", "--max", "15kg")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Configuration (class III, e = 3 g, Max = 15000 g): INVALID"
    assert lines[1] == "  - e = 3 g is not 1, 2 or 5 × 10^k g"


# --- Bad input: one line on stderr, exit 2, no traceback ----------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--e", "5g", "--load", "1g"],  # no class
        ["--class", "V", "--e", "5g", "--load", "1g"],
        ["--class", "III", "--load", "1g"],  # no e
        ["--class", "III", "--e", "5", "--load", "1g"],  # no unit
        ["--class", "III", "--e", "5g", "--load", "-1g"],
        ["--class", "III", "--e", "5g", "--load", "five grams"],
        ["--class", "III", "--e", "5g"],  # neither --load nor --max
        ["--class", "III", "--e", "3g", "--load", "1g"],  # e not 1, 2 or 5 x 10^k
        ["--class", "III", "--e", "5g", "--load", "60kg"],  # above 10000 e + 9 e
        ["--class", "III", "--e", "5g", "--load", "15.05kg", "--max", "15kg"],
        ["--class", "III", "--e", "5g", "--load", "1g", "--min", "100g"],
        ["--class", "III", "--e", "5g", "--max", "15kg", "--in-service"],
        ["--class", "III", "--e", "5g", "--load", "1g", "--bogus"],
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("chengxin mpe: error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_load_above_max_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "--class", "III", "--e", "5g", "--load", "15.05kg", "--max", "15kg")
    assert err == "chengxin mpe: error: load 15050 g is above Max + 9 e = 15045 g\n"


def test_help_returns_0_without_exiting(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: chengxin mpe")


def test_arguments_default_to_the_process_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "sys.argv", ["chengxin mpe", "--class", "IIII", "--e", "10g", "--load", "2kg"]
    )
    assert main() == 0
    assert capsys.readouterr().out.endswith(": ±10 g\n")
