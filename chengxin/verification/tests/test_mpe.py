"""Tests for the MPE engine, worked by hand from the tables of the domain brief (§4.1, §4.2, §4.4).

Plain pytest and hypothesis; no Django, like the module under test.
"""

from __future__ import annotations

import ast
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengxin.verification import mpe, mpe_cli
from chengxin.verification.mpe import (
    CLASS_RULES,
    MPE_BAND_ENDS_E,
    AccuracyClass,
    AsFoundCode,
    ChangeoverReading,
    ConfigurationError,
    LoadOutOfRangeError,
    MassError,
    MpeError,
    as_found_code,
    changeover_error,
    check_configuration,
    eccentricity_test,
    error_limit,
    format_decimal,
    format_mass,
    highest_indication,
    indication_before_rounding,
    interval_rule,
    is_verification_interval,
    maximum_permissible_error,
    minimum_e,
    mpe_multiple,
    parse_mass,
    price_computation_check,
    price_to_pay,
    repeatability_test,
    round_to_fen,
    tare_test,
    weighing_point_check,
    weighing_test,
    zero_setting_check,
)

D = Decimal
I = AccuracyClass.SPECIAL  # noqa: E741 - the class's own numeral reads best in the tables
II = AccuracyClass.HIGH
III = AccuracyClass.MEDIUM
IIII = AccuracyClass.ORDINARY


@pytest.mark.parametrize("module", [mpe, mpe_cli], ids=["mpe", "mpe_cli"])
def test_the_engine_imports_only_the_standard_library(module: ModuleType) -> None:
    # The engine must run without Django (and anything else) installed; see the module docstring.
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    foreign = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names and name != "chengxin.verification.mpe"
    }
    assert foreign == set()


def reading(load: str, indication: str, added: str) -> ChangeoverReading:
    return ChangeoverReading(load=D(load), indication=D(indication), added_weight=D(added))


# --- The MPE table, class by class, at, just below and just above every boundary ---------------

# (class, e, load, MPE initial/subsequent, MPE in service), all grams.
MPE_CASES = [
    # Class I, e = 1 mg: boundaries at 50,000 e = 50 g and 200,000 e = 200 g.
    (I, "0.001", "0", "0.0005", "0.001"),
    (I, "0.001", "49.9999", "0.0005", "0.001"),
    (I, "0.001", "50", "0.0005", "0.001"),
    (I, "0.001", "50.0001", "0.001", "0.002"),
    (I, "0.001", "199.9999", "0.001", "0.002"),
    (I, "0.001", "200", "0.001", "0.002"),
    (I, "0.001", "200.0001", "0.0015", "0.003"),
    (I, "0.001", "5000", "0.0015", "0.003"),
    # Class II, e = 0.01 g: 5,000 e = 50 g, 20,000 e = 200 g, n max 100,000 e = 1000 g.
    (II, "0.01", "0", "0.005", "0.01"),
    (II, "0.01", "49.999", "0.005", "0.01"),
    (II, "0.01", "50", "0.005", "0.01"),
    (II, "0.01", "50.001", "0.01", "0.02"),
    (II, "0.01", "199.999", "0.01", "0.02"),
    (II, "0.01", "200", "0.01", "0.02"),
    (II, "0.01", "200.001", "0.015", "0.03"),
    (II, "0.01", "1000", "0.015", "0.03"),
    # Class III, e = 5 g: 500 e = 2500 g, 2,000 e = 10,000 g; steps of 0.1 e = 0.5 g.
    (III, "5", "0", "2.5", "5"),
    (III, "5", "2499.5", "2.5", "5"),
    (III, "5", "2500", "2.5", "5"),
    (III, "5", "2500.5", "5", "10"),
    (III, "5", "2505", "5", "10"),  # 501 e: the second band, ±1 e
    (III, "5", "9999.5", "5", "10"),
    (III, "5", "10000", "5", "10"),
    (III, "5", "10000.5", "7.5", "15"),
    (III, "5", "12000", "7.5", "15"),  # brief §4.5 H1: in service ±3 e = ±15 g
    (III, "5", "15000", "7.5", "15"),
    # Class III, e = 1 g: 500 g and 2000 g; a milligram either side.
    (III, "1", "499.999", "0.5", "1"),
    (III, "1", "500", "0.5", "1"),
    (III, "1", "500.001", "1", "2"),
    (III, "1", "2000", "1", "2"),
    (III, "1", "2000.001", "1.5", "3"),
    # Class IIII, e = 10 g: 50 e = 500 g, 200 e = 2000 g, n max 1,000 e = 10 kg.
    (IIII, "10", "0", "5", "10"),
    (IIII, "10", "499", "5", "10"),
    (IIII, "10", "500", "5", "10"),
    (IIII, "10", "501", "10", "20"),
    (IIII, "10", "1999", "10", "20"),
    (IIII, "10", "2000", "10", "20"),
    (IIII, "10", "2001", "15", "30"),
    (IIII, "10", "10000", "15", "30"),
]


@pytest.mark.parametrize(("accuracy_class", "e", "load", "initial", "in_service"), MPE_CASES)
def test_mpe_matches_the_table(
    accuracy_class: AccuracyClass, e: str, load: str, initial: str, in_service: str
) -> None:
    def mpe(*, in_service: bool) -> Decimal:
        return maximum_permissible_error(
            accuracy_class=accuracy_class, e=D(e), load=D(load), in_service=in_service
        )

    assert mpe(in_service=False) == D(initial)
    assert mpe(in_service=True) == D(in_service)


def test_mpe_band_ends_are_the_briefs_table() -> None:
    assert dict(MPE_BAND_ENDS_E) == {
        I: (50_000, 200_000),
        II: (5_000, 20_000),
        III: (500, 2_000),
        IIII: (50, 200),
    }


@pytest.mark.parametrize(
    ("accuracy_class", "load_in_e", "multiple"),
    [
        (III, "500", "0.5"),
        (III, "500.1", "1"),
        (III, "2000", "1"),
        (III, "2000.1", "1.5"),
        (IIII, "50", "0.5"),
        (IIII, "50.1", "1"),
    ],
)
def test_mpe_multiple_reads_the_table_in_e(
    accuracy_class: AccuracyClass, load_in_e: str, multiple: str
) -> None:
    assert mpe_multiple(accuracy_class, D(load_in_e)) == D(multiple)


def test_error_limit_reports_what_it_was_computed_from() -> None:
    limit = error_limit(accuracy_class=III, e=D(5), load=D(12000), max_capacity=D(15000))
    assert limit.load_in_e == 2400
    assert limit.mpe_in_e == D("1.5")
    assert limit.mpe == D("7.5")
    assert limit.highest_load == 15045
    assert limit.stage == "initial/subsequent verification"


def test_error_limit_accepts_a_class_by_its_numeral() -> None:
    # Typed as AccuracyClass; at run time the numeral a form or CSV holds is accepted too.
    limit = maximum_permissible_error(accuracy_class="III", e=D(5), load=D(0))  # type: ignore[arg-type]
    assert limit == D("2.5")


def test_load_at_max_plus_9e_has_a_limit() -> None:
    # Class III, 15 kg / 5 g: Max + 9 e = 15045 g, still in the 1.5 e band.
    assert maximum_permissible_error(
        accuracy_class=III, e=D(5), load=D(15045), max_capacity=D(15000)
    ) == D("7.5")


def test_load_above_max_plus_9e_is_refused() -> None:
    with pytest.raises(LoadOutOfRangeError, match=r"above Max \+ 9 e = 15045 g"):
        maximum_permissible_error(
            accuracy_class=III, e=D(5), load=D("15045.001"), max_capacity=D(15000)
        )


def test_load_above_the_largest_max_of_the_class_is_refused_without_max() -> None:
    # Class III allows n <= 10,000: with e = 5 g nothing may indicate above 50,045 g.
    assert maximum_permissible_error(accuracy_class=III, e=D(5), load=D(50045)) == D("7.5")
    with pytest.raises(LoadOutOfRangeError, match="10000 e"):
        maximum_permissible_error(accuracy_class=III, e=D(5), load=D(50050))


def test_class_i_without_max_has_no_upper_bound() -> None:
    limit = error_limit(accuracy_class=I, e=D("0.001"), load=D(10**9))
    assert limit.highest_load is None
    assert limit.mpe == D("0.0015")


def test_negative_load_is_refused() -> None:
    with pytest.raises(LoadOutOfRangeError, match="negative"):
        maximum_permissible_error(accuracy_class=III, e=D(5), load=D(-1))
    with pytest.raises(LoadOutOfRangeError):
        mpe_multiple(III, D("-0.1"))


@pytest.mark.parametrize("e", ["3", "0", "-5", "0.25"])
def test_mpe_refuses_an_e_that_is_not_an_interval(e: str) -> None:
    with pytest.raises(ConfigurationError, match="1, 2 or 5"):
        maximum_permissible_error(accuracy_class=III, e=D(e), load=D(10))


def test_mpe_refuses_a_non_positive_max() -> None:
    with pytest.raises(ConfigurationError, match="Max must be positive"):
        maximum_permissible_error(accuracy_class=III, e=D(5), load=D(0), max_capacity=D(0))


def test_float_is_refused_because_it_is_not_exact() -> None:
    with pytest.raises(TypeError, match="float"):
        maximum_permissible_error(accuracy_class=III, e=5.0, load=D(10))  # type: ignore[arg-type]


def test_errors_are_value_errors() -> None:
    for error in (MassError, ConfigurationError, LoadOutOfRangeError):
        assert issubclass(error, MpeError)
    assert issubclass(MpeError, ValueError)


def test_arithmetic_is_exact_beyond_the_default_precision() -> None:
    # 31 significant digits: the default 28-digit context would round this load to 2500 g = 500 e
    # and give ±0.5 e; exactly, it is just above 500 e and the limit is ±1 e.
    limit = error_limit(accuracy_class=III, e=D(5), load=D("2500.000000000000000000000000001"))
    assert limit.load_in_e == D("500.0000000000000000000000000002")
    assert limit.mpe == 5


# --- Configurations (brief §4.1) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accuracy_class", "e", "max_capacity", "min_capacity"),
    [
        (III, "5", "15000", "100"),  # 15 kg / 5 g, n = 3,000, Min 20 e
        (III, "1", "3000", "20"),  # 3 kg / 1 g
        (III, "2", "6000", "40"),  # 6 kg / 2 g
        (III, "10", "30000", "200"),  # 30 kg / 10 g
        (III, "5", "2500", "100"),  # n = 500, the class III minimum for e >= 5 g
        (III, "0.1", "10", "2"),  # n = 100, the class III minimum for e <= 2 g
        (III, "1", "10000", "20"),  # n = 10,000, the class III maximum
        (IIII, "5", "5000", "50"),  # n = 1,000, the class IIII maximum; Min 10 e
        (IIII, "50", "5000", "500"),  # n = 100, the class IIII minimum
        (II, "0.01", "200", "0.2"),  # n = 20,000; Min 20 e
        (II, "0.1", "1000", "5"),  # n = 10,000; Min 50 e for e >= 0.1 g
        (II, "0.1", "500", "5"),  # n = 5,000, the minimum for e >= 0.1 g
        (I, "0.001", "100", "0.1"),  # n = 100,000; Min 100 e
        (I, "0.001", "50", None),  # n = 50,000, the class I minimum; no Min given
    ],
)
def test_valid_configurations_pass(
    accuracy_class: AccuracyClass, e: str, max_capacity: str, min_capacity: str | None
) -> None:
    check = check_configuration(
        accuracy_class, D(e), D(max_capacity), None if min_capacity is None else D(min_capacity)
    )
    assert check.reasons == ()
    assert check.valid


@pytest.mark.parametrize(
    ("accuracy_class", "e", "max_capacity", "min_capacity", "reason"),
    [
        (III, "3", "15000", None, "e = 3 g is not 1, 2 or 5 × 10^k g"),
        (III, "0", "15000", None, "e must be positive, got 0 g"),
        (III, "0.05", "50", None, "e = 0.05 g is below 0.1 g, the smallest e for class III"),
        (IIII, "2", "1000", None, "e = 2 g is below 5 g, the smallest e for class IIII"),
        (I, "0.0005", "100", None, "e = 0.0005 g is below 0.001 g, the smallest e for class I"),
        (III, "5", "0", None, "Max must be positive, got 0 g"),
        (III, "5", "15001", None, "Max = 15001 g is not a whole multiple of e = 5 g"),
        (
            III,
            "5",
            "2000",
            None,
            "n = Max/e = 400 is below 500, the minimum for class III with e >= 5 g",
        ),
        (
            III,
            "1",
            "50",
            None,
            "n = Max/e = 50 is below 100, the minimum for class III with 0.1 g <= e <= 2 g",
        ),
        (
            III,
            "1",
            "20000",
            None,
            "n = Max/e = 20000 is above 10000, the maximum for class III with 0.1 g <= e <= 2 g",
        ),
        (
            IIII,
            "5",
            "10000",
            None,
            "n = Max/e = 2000 is above 1000, the maximum for class IIII with e >= 5 g",
        ),
        (
            II,
            "0.1",
            "200",
            None,
            "n = Max/e = 2000 is below 5000, the minimum for class II with e >= 0.1 g",
        ),
        (
            II,
            "0.01",
            "2000",
            None,
            "n = Max/e = 200000 is above 100000, the maximum for class II "
            "with 0.001 g <= e <= 0.05 g",
        ),
        (
            I,
            "0.001",
            "10",
            None,
            "n = Max/e = 10000 is below 50000, the minimum for class I with e >= 0.001 g",
        ),
        (
            III,
            "5",
            "15000",
            "50",
            "Min = 50 g is below 20 e = 100 g, the minimum for class III with e >= 5 g",
        ),
        (
            II,
            "0.1",
            "1000",
            "4",
            "Min = 4 g is below 50 e = 5 g, the minimum for class II with e >= 0.1 g",
        ),
        (
            IIII,
            "5",
            "5000",
            "45",
            "Min = 45 g is below 10 e = 50 g, the minimum for class IIII with e >= 5 g",
        ),
        (III, "5", "15000", "0", "Min must be positive, got 0 g"),
        (III, "5", "15000", "15000", "Min = 15000 g must be below Max = 15000 g"),
    ],
)
def test_invalid_configurations_give_the_reason(
    accuracy_class: AccuracyClass,
    e: str,
    max_capacity: str,
    min_capacity: str | None,
    reason: str,
) -> None:
    check = check_configuration(
        accuracy_class, D(e), D(max_capacity), None if min_capacity is None else D(min_capacity)
    )
    assert not check.valid
    assert check.reasons == (reason,)


def test_every_violation_is_reported() -> None:
    # 1.5 kg / 5 g: n = 300 < 500, and Min 50 g < 20 e = 100 g.
    check = check_configuration(III, D(5), D(1500), D(50))
    assert len(check.reasons) == 2
    assert check.reasons[0].startswith("n = Max/e = 300 is below 500")
    assert check.reasons[1].startswith("Min = 50 g is below 20 e = 100 g")


def test_configuration_check_reports_n_min_and_highest_indication() -> None:
    check = check_configuration(III, D(5), D(15000))
    assert check.n == 3000
    assert check.smallest_min_capacity == 100
    assert check.highest_indication == 15045
    assert check.rule is not None
    assert (check.rule.n_min, check.rule.n_max) == (500, 10_000)


def test_configuration_check_survives_an_e_with_no_finite_inverse() -> None:
    # 1/7 has no finite decimal: n must not be computed (and must not be rounded).
    check = check_configuration(III, D(7), D(15000))
    assert check.n is None
    assert check.reasons == ("e = 7 g is not 1, 2 or 5 × 10^k g",)


def test_class_rules_are_the_briefs_table() -> None:
    rows = {
        (str(r.accuracy_class), r.e_from, r.e_to, r.min_capacity_e, r.n_min, r.n_max)
        for r in CLASS_RULES
    }
    assert rows == {
        ("I", D("0.001"), None, 100, 50_000, None),
        ("II", D("0.001"), D("0.05"), 20, 100, 100_000),
        ("II", D("0.1"), None, 50, 5_000, 100_000),
        ("III", D("0.1"), D(2), 20, 100, 10_000),
        ("III", D(5), None, 20, 500, 10_000),
        ("IIII", D(5), None, 10, 100, 1_000),
    }


@pytest.mark.parametrize(
    ("accuracy_class", "smallest"), [(I, "0.001"), (II, "0.001"), (III, "0.1"), (IIII, "5")]
)
def test_minimum_e_per_class(accuracy_class: AccuracyClass, smallest: str) -> None:
    assert minimum_e(accuracy_class) == D(smallest)


def test_interval_rule_switches_at_the_class_iii_row_boundary() -> None:
    small, large = interval_rule(III, D(2)), interval_rule(III, D(5))
    assert small is not None
    assert small.n_min == 100
    assert large is not None
    assert large.n_min == 500
    assert interval_rule(III, D("0.01")) is None


def test_highest_indication_is_max_plus_9e() -> None:
    assert highest_indication(e=D(5), max_capacity=D(15000)) == 15045
    assert highest_indication(e=D("0.1"), max_capacity=D(600)) == D("600.9")


@pytest.mark.parametrize(
    ("e", "valid"),
    [
        ("1", True),
        ("2", True),
        ("5", True),
        ("0.001", True),
        ("0.05", True),
        ("20", True),
        ("5000", True),
        ("1.000", True),
        ("3", False),
        ("2.5", False),
        ("0.25", False),
        ("10.1", False),
        ("0", False),
        ("-1", False),
        ("1.0000000000000000000000000000001", False),
    ],
)
def test_verification_interval_form(e: str, valid: bool) -> None:
    assert is_verification_interval(D(e)) is valid


# --- Changeover-point method (brief §4.4) and the tests of a verification ----------------------


def test_changeover_error_worked_example() -> None:
    # e = 5 g, L = 2500 g shows I = 2500 g; it stepped to 2505 g after adding ΔL = 1.5 g.
    # P = I + e/2 − ΔL = 2500 + 2.5 − 1.5 = 2501 g; E = P − L = +1 g (reads 1 g heavy).
    point = reading("2500", "2500", "1.5")
    assert indication_before_rounding(e=D(5), reading=point) == 2501
    assert changeover_error(e=D(5), reading=point) == 1


def test_changeover_error_of_a_good_zero_is_zero() -> None:
    # Brief §4.4: e = 2 g at true zero steps when about 1 g is added: P = 0 + 1 − 1 = 0.
    assert changeover_error(e=D(2), reading=reading("0", "0", "1")) == 0


def test_weighing_point_is_corrected_by_the_zero_error() -> None:
    # E = +1 g as above; E0 = 0.5 g; Ec = 0.5 g; MPE at 2500 g (500 e) = 2.5 g: passes.
    point = weighing_point_check(
        accuracy_class=III,
        e=D(5),
        reading=reading("2500", "2500", "1.5"),
        zero_error=D("0.5"),
    )
    assert (point.error, point.corrected_error, point.mpe) == (D(1), D("0.5"), D("2.5"))
    assert point.passed


def test_weighing_point_fails_initial_and_passes_in_service() -> None:
    # L = 10000 g, I = 10005 g, ΔL = 0.5 g: P = 10005 + 2.5 − 0.5 = 10007, E = 7, E0 = 0.5,
    # Ec = 6.5 g. At 10000 g = 2000 e the MPE is 1 e = 5 g (fails), in service 10 g (passes).
    def check(*, in_service: bool) -> bool:
        return weighing_point_check(
            accuracy_class=III,
            e=D(5),
            reading=reading("10000", "10005", "0.5"),
            zero_error=D("0.5"),
            in_service=in_service,
        ).passed

    assert not check(in_service=False)
    assert check(in_service=True)


def test_error_equal_to_the_mpe_passes() -> None:
    # L = 2500 g, I = 2500 g, ΔL = 0: P = 2502.5, E = Ec = 2.5 g = MPE exactly.
    point = weighing_point_check(accuracy_class=III, e=D(5), reading=reading("2500", "2500", "0"))
    assert point.corrected_error == point.mpe == D("2.5")
    assert point.passed


def test_weighing_test_increasing_and_decreasing() -> None:
    # 15 kg / 5 g. Zero: I = 0, ΔL = 2 g → E0 = 0 + 2.5 − 2 = 0.5 g.
    # Up:   100 g: I 100, ΔL 2   → E 0.5, Ec 0     (MPE 2.5)
    #      2500 g: I 2500, ΔL 1  → E 1.5, Ec 1     (MPE 2.5)
    #     15000 g: I 15005, ΔL 3 → E 4.5, Ec 4     (MPE 7.5)
    # Down: 2500 g: I 2500, ΔL 4 → E −1.5, Ec −2   (MPE 2.5)
    result = weighing_test(
        accuracy_class=III,
        e=D(5),
        max_capacity=D(15000),
        zero_reading=reading("0", "0", "2"),
        increasing=[
            reading("100", "100", "2"),
            reading("2500", "2500", "1"),
            reading("15000", "15005", "3"),
        ],
        decreasing=[reading("2500", "2500", "4")],
    )
    assert result.zero_error == D("0.5")
    assert [p.corrected_error for p in result.increasing] == [D(0), D(1), D(4)]
    assert [p.mpe for p in result.increasing] == [D("2.5"), D("2.5"), D("7.5")]
    assert [p.corrected_error for p in result.decreasing] == [D(-2)]
    assert result.passed


def test_weighing_test_fails_when_one_point_fails() -> None:
    # Down at 2500 g: I 2495, ΔL 4 → P 2493.5, E −6.5, Ec −7 against MPE 2.5: fails.
    result = weighing_test(
        accuracy_class=III,
        e=D(5),
        zero_reading=reading("0", "0", "2"),
        increasing=[reading("2500", "2500", "1")],
        decreasing=[reading("2500", "2495", "4")],
    )
    assert result.increasing[0].passed
    assert not result.decreasing[0].passed
    assert not result.passed


def test_weighing_test_needs_an_increasing_load() -> None:
    with pytest.raises(MpeError, match="at least one increasing"):
        weighing_test(
            accuracy_class=III, e=D(5), zero_reading=reading("0", "0", "2"), increasing=[]
        )


def test_reading_refuses_negative_load_and_added_weight() -> None:
    with pytest.raises(LoadOutOfRangeError):
        reading("-5", "0", "1")
    with pytest.raises(MassError):
        reading("5", "5", "-1")
    # A negative indication is a fact of life near zero.
    assert reading("0", "-5", "2").indication == -5


def test_eccentricity_each_position_against_the_mpe_for_its_load() -> None:
    # 15 kg / 5 g, 5 kg (1000 e, MPE 1 e = 5 g) in the centre and four quarters, E0 = 0.
    # Positions 1-4: E = 0, +2, −3, +5 (exactly the MPE); position 5: I 5005, ΔL 0.5 → E = 7.
    positions = [
        reading("5000", "5000", "2.5"),
        reading("5000", "5000", "0.5"),
        reading("5000", "4995", "0.5"),
        reading("5000", "5005", "2.5"),
        reading("5000", "5005", "0.5"),
    ]
    result = eccentricity_test(
        accuracy_class=III, e=D(5), positions=positions, max_capacity=D(15000)
    )
    assert [p.corrected_error for p in result.positions] == [D(0), D(2), D(-3), D(5), D(7)]
    assert [p.passed for p in result.positions] == [True, True, True, True, False]
    assert not result.passed
    assert eccentricity_test(accuracy_class=III, e=D(5), positions=positions[:4]).passed


def test_repeatability_spread_against_the_mpe() -> None:
    # 10 kg on 5 g (2000 e, MPE 5 g). E = 10000 + 2.5 − ΔL − 10000 (+5 if I shows 10005):
    # ΔL 1 → +1.5; ΔL 3.5 → −1; I 10005, ΔL 4.5 → +3. Spread 3 − (−1) = 4 g <= 5 g.
    result = repeatability_test(
        accuracy_class=III,
        e=D(5),
        readings=[
            reading("10000", "10000", "1"),
            reading("10000", "10000", "3.5"),
            reading("10000", "10005", "4.5"),
        ],
    )
    assert result.errors == (D("1.5"), D(-1), D(3))
    assert (result.spread, result.mpe) == (D(4), D(5))
    assert result.passed


def test_repeatability_spread_equal_to_the_mpe_passes_and_above_fails() -> None:
    # E = −1 and +4 → spread 5 = MPE: passes. E = −1.5 and +4 → spread 5.5: fails.
    def spread_passes(low_added: str) -> bool:
        return repeatability_test(
            accuracy_class=III,
            e=D(5),
            readings=[
                reading("10000", "10000", low_added),
                reading("10000", "10005", "3.5"),
            ],
        ).passed

    assert spread_passes("3.5")
    assert not spread_passes("4")


def test_repeatability_needs_one_load_weighed_at_least_twice() -> None:
    with pytest.raises(MpeError, match="at least two"):
        repeatability_test(accuracy_class=III, e=D(5), readings=[reading("100", "100", "2")])
    with pytest.raises(MpeError, match="one load"):
        repeatability_test(
            accuracy_class=III,
            e=D(5),
            readings=[reading("100", "100", "2"), reading("105", "105", "2")],
        )


@pytest.mark.parametrize(
    ("added", "zero_error", "passed"),
    [
        # e = 5 g, limit 0.25 e = 1.25 g; E0 = 0 + 2.5 − ΔL.
        ("2", "0.5", True),
        ("1.25", "1.25", True),
        ("1", "1.5", False),
        ("3.75", "-1.25", True),
        ("4", "-1.5", False),
    ],
)
def test_zero_setting_accuracy(added: str, zero_error: str, passed: bool) -> None:
    result = zero_setting_check(e=D(5), reading=reading("0", "0", added))
    assert result.limit == D("1.25")
    assert result.zero_error == D(zero_error)
    assert result.passed is passed


def test_tare_test_passes() -> None:
    # e = 5 g, 15 kg. Tare 1 kg; net zero after taring: ΔL 2.5 → E0t = 0 (limit 1.25 g).
    # Net 2000 g: I 2000, ΔL 1.5 → E 1 = Ec; MPE for 2000 g net (400 e) = 2.5 g.
    result = tare_test(
        accuracy_class=III,
        e=D(5),
        max_capacity=D(15000),
        tare_load=D(1000),
        tare_zero_reading=reading("0", "0", "2.5"),
        net_readings=[reading("2000", "2000", "1.5")],
    )
    assert result.tare_zero_error == 0
    assert result.tare_setting_passed
    assert result.net_points[0].corrected_error == 1
    assert result.net_points[0].mpe == D("2.5")
    assert result.passed


def test_tare_test_fails_on_tare_setting_accuracy() -> None:
    # Net zero: ΔL 1 → E0t = 1.5 g > 1.25 g. The net point is still within its MPE.
    result = tare_test(
        accuracy_class=III,
        e=D(5),
        tare_load=D(1000),
        tare_zero_reading=reading("0", "0", "1"),
        net_readings=[reading("2000", "2000", "1.5")],
    )
    assert not result.tare_setting_passed
    assert result.net_points[0].passed
    assert not result.passed


def test_tare_plus_net_above_max_plus_9e_is_refused() -> None:
    with pytest.raises(LoadOutOfRangeError, match="tare 5000 g plus net load 10050 g"):
        tare_test(
            accuracy_class=III,
            e=D(5),
            max_capacity=D(15000),
            tare_load=D(5000),
            tare_zero_reading=reading("0", "0", "2.5"),
            net_readings=[reading("10050", "10050", "2.5")],
        )


# --- Price computation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("7.5", "7.50"),
        ("0.075", "0.08"),
        ("0.065", "0.07"),  # half up, not half even (which would give 0.06)
        ("0.074", "0.07"),
        ("0.0749999", "0.07"),
        ("16.01732", "16.02"),
        ("0", "0.00"),
    ],
)
def test_round_to_fen_rounds_halves_up(amount: str, rounded: str) -> None:
    result = round_to_fen(D(amount))
    assert result == D(rounded)
    assert str(result) == rounded


@pytest.mark.parametrize(
    ("grams", "yuan_per_kg", "amount"),
    [
        ("500", "15.00", "7.50"),
        ("13", "5", "0.07"),  # 0.065 yuan
        ("1234", "12.98", "16.02"),  # 16.01732 yuan
        ("333", "9.99", "3.33"),  # 3.32667 yuan
        ("2500", "0.03", "0.08"),  # decimal-shifted price: the arithmetic is still right
    ],
)
def test_price_to_pay(grams: str, yuan_per_kg: str, amount: str) -> None:
    assert price_to_pay(net_weight=D(grams), unit_price=D(yuan_per_kg)) == D(amount)


def test_price_computation_check_requires_the_exact_amount() -> None:
    right = price_computation_check(
        net_weight=D(333), unit_price=D("9.99"), displayed_amount=D("3.33")
    )
    assert right.exact_amount == D("3.32667")
    assert right.computed_amount == D("3.33")
    assert right.passed
    one_fen_off = price_computation_check(
        net_weight=D(333), unit_price=D("9.99"), displayed_amount=D("3.32")
    )
    assert not one_fen_off.passed


def test_price_computation_refuses_negative_weight() -> None:
    with pytest.raises(MassError):
        price_to_pay(net_weight=D(-1), unit_price=D(10))


# --- As-found codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "code"),
    [
        ([("1", "2.5"), ("-2.5", "2.5")], AsFoundCode.COMPLIANT),
        ([("2.6", "2.5")], AsFoundCode.AGAINST_BUYER_1),
        ([("5", "2.5")], AsFoundCode.AGAINST_BUYER_1),  # exactly 2x: still R1
        ([("5.01", "2.5")], AsFoundCode.AGAINST_BUYER_2),
        ([("7.5", "2.5")], AsFoundCode.AGAINST_BUYER_2),  # exactly 3x: still R2
        ([("7.51", "2.5")], AsFoundCode.AGAINST_BUYER_3),
        ([("-2.6", "2.5")], AsFoundCode.AGAINST_SELLER_1),
        ([("-7.5", "2.5")], AsFoundCode.AGAINST_SELLER_2),
        ([("-100", "2.5")], AsFoundCode.AGAINST_SELLER_3),
        # The worst is by ratio, not by grams: +6 g on a 5 g limit (1.2x) is milder than
        # −4 g on a 1.25 g limit (3.2x).
        ([("6", "5"), ("-4", "1.25")], AsFoundCode.AGAINST_SELLER_3),
        # Equally bad both ways: the buyer's side is recorded.
        ([("-5", "2.5"), ("5", "2.5")], AsFoundCode.AGAINST_BUYER_1),
    ],
)
def test_as_found_code(findings: list[tuple[str, str]], code: AsFoundCode) -> None:
    assert as_found_code((D(error), D(limit)) for error, limit in findings) is code


def test_as_found_code_values_are_measurement_canadas() -> None:
    assert [str(code) for code in AsFoundCode] == ["C", "R1", "R2", "R3", "W1", "W2", "W3"]


def test_as_found_code_from_weighing_points() -> None:
    # The failing point of test_weighing_point_fails_initial...: Ec = +6.5 g, MPE 5 g → R1.
    point = weighing_point_check(
        accuracy_class=III, e=D(5), reading=reading("10000", "10005", "0.5"), zero_error=D("0.5")
    )
    assert as_found_code([(point.corrected_error, point.mpe)]) is AsFoundCode.AGAINST_BUYER_1


def test_as_found_code_needs_findings_and_positive_limits() -> None:
    with pytest.raises(MpeError, match="at least one"):
        as_found_code([])
    with pytest.raises(MpeError, match="positive"):
        as_found_code([(D(1), D(0))])


# --- Masses as text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("5g", "5"),
        ("2505 g", "2505"),
        ("15kg", "15000"),
        ("500mg", "0.5"),
        (" 0.5 kg ", "500"),
        ("7.5g", "7.5"),
        ("0g", "0"),
    ],
)
def test_parse_mass(text: str, grams: str) -> None:
    assert parse_mass(text) == D(grams)


@pytest.mark.parametrize(
    "text",
    [
        "5",
        "g",
        "",
        "-5g",
        "+5g",
        "5 G",
        "5 Kg",
        "5e3g",
        "1,000g",
        "1_000g",
        ".5g",
        "5.g",
        "5 lb",
        "5g5",
        "5 jin",
        "５g",
        "1" * 31 + "g",
    ],
)
def test_parse_mass_refuses_anything_else(text: str) -> None:
    with pytest.raises(MassError):
        parse_mass(text)


@pytest.mark.parametrize(
    ("grams", "unit", "text"),
    [
        ("15000", "g", "15000 g"),
        ("15000", "kg", "15 kg"),
        ("0.5", "mg", "500 mg"),
        ("7.50", "g", "7.5 g"),
        ("-2.5", "g", "-2.5 g"),
        ("1.5E+4", "g", "15000 g"),
    ],
)
def test_format_mass(grams: str, unit: str, text: str) -> None:
    assert format_mass(D(grams), unit) == text


def test_format_mass_refuses_unknown_units() -> None:
    with pytest.raises(MassError):
        format_mass(D(1), "lb")


@pytest.mark.parametrize(
    ("value", "text"), [("7.50", "7.5"), ("1.5E+4", "15000"), ("-0.0", "0"), ("100", "100")]
)
def test_format_decimal(value: str, text: str) -> None:
    assert format_decimal(D(value)) == text


# --- Properties -------------------------------------------------------------------------------

classes = st.sampled_from(list(AccuracyClass))
intervals = st.builds(
    lambda coefficient, exponent: D(coefficient).scaleb(exponent),
    st.sampled_from([1, 2, 5]),
    st.integers(min_value=-3, max_value=4),
)
# Loads in thousandths of e, up to the class's largest Max + 9 e (class I: a million e).
LARGEST_LOAD_E = {I: 1_000_000, II: 100_009, III: 10_009, IIII: 1_009}


@st.composite
def class_e_load(draw: st.DrawFn) -> tuple[AccuracyClass, Decimal, Decimal]:
    accuracy_class = draw(classes)
    e = draw(intervals)
    thousandths = draw(st.integers(0, LARGEST_LOAD_E[accuracy_class] * 1000))
    return accuracy_class, e, e * D(thousandths).scaleb(-3)


def mpe_of(
    accuracy_class: AccuracyClass, e: Decimal, load: Decimal, *, in_service: bool
) -> Decimal:
    return maximum_permissible_error(
        accuracy_class=accuracy_class, e=e, load=load, in_service=in_service
    )


@given(class_e_load(), st.decimals(min_value=0, max_value=100, places=3), st.booleans())
def test_judgement_is_symmetric(
    case: tuple[AccuracyClass, Decimal, Decimal], error_in_e: Decimal, in_service: bool
) -> None:
    accuracy_class, e, load = case
    # ΔL = e/2 makes P = I, so an indication L ± x has error ±x exactly.
    error = error_in_e * e

    def passed(indication: Decimal) -> bool:
        return weighing_point_check(
            accuracy_class=accuracy_class,
            e=e,
            reading=ChangeoverReading(load=load, indication=indication, added_weight=e / 2),
            in_service=in_service,
        ).passed

    assert passed(load + error) == passed(load - error)


@st.composite
def class_e_two_loads(draw: st.DrawFn) -> tuple[AccuracyClass, Decimal, Decimal, Decimal]:
    accuracy_class, e, load = draw(class_e_load())
    thousandths = draw(st.integers(0, LARGEST_LOAD_E[accuracy_class] * 1000))
    return accuracy_class, e, load, e * D(thousandths).scaleb(-3)


@given(class_e_two_loads(), st.booleans())
def test_mpe_is_monotone_in_load(
    case: tuple[AccuracyClass, Decimal, Decimal, Decimal], in_service: bool
) -> None:
    accuracy_class, e, *loads = case
    low, high = sorted(loads)
    assert mpe_of(accuracy_class, e, low, in_service=in_service) <= mpe_of(
        accuracy_class, e, high, in_service=in_service
    )


@given(class_e_load())
def test_in_service_is_exactly_twice_initial(case: tuple[AccuracyClass, Decimal, Decimal]) -> None:
    accuracy_class, e, load = case
    assert mpe_of(accuracy_class, e, load, in_service=True) == 2 * mpe_of(
        accuracy_class, e, load, in_service=False
    )


@given(classes, intervals, st.integers(min_value=1, max_value=10**6), st.booleans())
def test_boundaries_take_the_smaller_limit(
    accuracy_class: AccuracyClass, e: Decimal, above_by_millionths: int, in_service: bool
) -> None:
    first_end, second_end = MPE_BAND_ENDS_E[accuracy_class]
    nudge = e * D(above_by_millionths).scaleb(-6)  # 0 < nudge <= e
    factor = 2 if in_service else 1
    for end, smaller, larger in ((first_end, "0.5", "1"), (second_end, "1", "1.5")):
        boundary = end * e
        assert mpe_of(accuracy_class, e, boundary, in_service=in_service) == D(smaller) * factor * e
        assert mpe_of(accuracy_class, e, boundary + nudge, in_service=in_service) == (
            D(larger) * factor * e
        )


@given(st.integers(min_value=1, max_value=9), st.integers(-6, 6), st.integers(0, 5))
def test_valid_intervals_are_1_2_5_times_a_power_of_ten(
    coefficient: int, exponent: int, padding: int
) -> None:
    # The same value written with extra trailing zeros (1.000, 20.0) must judge the same.
    value = D(coefficient).scaleb(exponent).quantize(D(1).scaleb(exponent - padding))
    assert value == D(coefficient).scaleb(exponent)
    assert is_verification_interval(value) is (coefficient in (1, 2, 5))


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_anything_accepted_as_an_interval_has_the_form(value: Decimal) -> None:
    if is_verification_interval(value):
        assert value > 0
        assert value.scaleb(-value.adjusted()) in (1, 2, 5)


@given(intervals)
def test_every_generated_interval_is_accepted(e: Decimal) -> None:
    assert is_verification_interval(e)


@given(
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["mg", "g", "kg"]),
)
def test_parse_mass_reads_what_format_mass_writes(grams: Decimal, unit: str) -> None:
    assert parse_mass(format_mass(grams, unit)) == grams


@given(
    st.decimals(min_value=0, max_value=100_000, places=1),
    st.decimals(min_value=0, max_value=1_000, places=2),
)
def test_price_is_within_half_a_fen_of_the_exact_amount(grams: Decimal, price: Decimal) -> None:
    result = price_computation_check(net_weight=grams, unit_price=price, displayed_amount=D(0))
    assert result.computed_amount == result.computed_amount.quantize(D("0.01"))
    assert abs(result.computed_amount - result.exact_amount) <= D("0.005")


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=-100, max_value=100, places=2),
            st.decimals(min_value="0.01", max_value=10, places=2),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_as_found_code_is_compliant_exactly_when_every_error_is_within_its_limit(
    findings: list[tuple[Decimal, Decimal]],
) -> None:
    code = as_found_code(findings)
    assert (code is AsFoundCode.COMPLIANT) == all(abs(error) <= limit for error, limit in findings)
    if code is not AsFoundCode.COMPLIANT:
        worst = max(Fraction(abs(error)) / Fraction(limit) for error, limit in findings)
        assert code.value[1] == ("1" if worst <= 2 else "2" if worst <= 3 else "3")
