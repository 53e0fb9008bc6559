"""Error limits (MPE) and the judgements a verification of a weighing instrument records.

What this module is for: the arithmetic a verifier applies to an electronic price-computing scale
(电子计价秤) — which configurations (accuracy class, verification interval e, Max, Min) are
allowed, the maximum permissible error (最大允许误差, MPE) for any load, the error of an indication
by the changeover-point method (闪变点法), the pass/fail of each test a verification record holds
(weighing, eccentricity, repeatability, zero-setting, tare, price computation) and the Measurement
Canada style "as-found" severity code. The tables are those of OIML R76-1 / EU NAWI Annex I,
which JJG 539 uses for classes III and IIII (domain brief §4.1, §4.2, §4.4).

What it must never do: import Django (or anything outside the standard library) — it is the pure
core the services, the API, the bulk import and the ``chengxin mpe`` command share, and it is
tested on its own; use ``float``; round silently. Masses are :class:`decimal.Decimal` grams and
every computation runs in a decimal context that raises :class:`decimal.Inexact` rather than
round, so a result is exact or there is no result. The one deliberate rounding is the price to
pay, to the fen, in :func:`round_to_fen`.

Conventions, used by every function here:

* Masses (load L, indication I, added weight ΔL, e, Max, Min, errors) are ``Decimal`` grams.
  Money is ``Decimal`` yuan; unit prices are yuan per kilogram, the legal unit.
* The error of an indication is ``E = P − L``: indication (before rounding) minus the true load.
  **E > 0: the scale reads heavy, the buyer pays for goods they did not get — against the buyer.
  E < 0: the scale reads light — against the seller.**
* A load exactly on a band boundary of the MPE table takes the smaller limit (lower bound
  exclusive, upper bound inclusive: class III at exactly 500 e → 0.5 e).
* An error exactly equal to the MPE passes: the limit is the largest *permissible* error.
* "Initial" covers initial and subsequent verification (JJG 539-2016 practice); "in service"
  (in-service inspection, 使用中检查) doubles every limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from fractions import Fraction
from functools import wraps
from types import MappingProxyType
from typing import Final, ParamSpec, TypeVar

__all__ = [
    "CLASS_RULES",
    "FEN",
    "GRAMS_PER_UNIT",
    "MPE_BAND_ENDS_E",
    "ZERO_SETTING_LIMIT_E",
    "AccuracyClass",
    "AsFoundCode",
    "ChangeoverReading",
    "ConfigurationCheck",
    "ConfigurationError",
    "EccentricityResult",
    "ErrorLimit",
    "IntervalRule",
    "LoadOutOfRangeError",
    "MassError",
    "MpeError",
    "PriceComputationResult",
    "RepeatabilityResult",
    "TareResult",
    "WeighingPointResult",
    "WeighingTestResult",
    "ZeroSettingResult",
    "as_found_code",
    "changeover_error",
    "check_configuration",
    "eccentricity_test",
    "error_limit",
    "format_decimal",
    "format_mass",
    "highest_indication",
    "indication_before_rounding",
    "interval_rule",
    "is_verification_interval",
    "maximum_permissible_error",
    "minimum_e",
    "mpe_multiple",
    "parse_mass",
    "price_computation_check",
    "price_to_pay",
    "repeatability_test",
    "round_to_fen",
    "tare_test",
    "weighing_point_check",
    "weighing_test",
    "within_limit",
    "zero_setting_check",
]


# --- Errors -------------------------------------------------------------------------------------


class MpeError(ValueError):
    """An input this module refuses; the message says what was wrong, in one line."""


class MassError(MpeError):
    """A mass that is not a mass: unparsable text, or a negative value where none can be."""


class ConfigurationError(MpeError):
    """An instrument parameter (e, Max) that no MPE can be computed for."""


class LoadOutOfRangeError(MpeError):
    """A load outside 0 … Max + 9 e, where the instrument must not indicate at all."""


# --- Exact arithmetic ---------------------------------------------------------------------------

# Sixty digits hold the product of any two masses parse_mass accepts (at most 30 digits each), so
# a legitimate computation never needs to round; trapping Inexact turns any rounding that would
# otherwise happen silently into an exception.
_EXACT: Final = Context(prec=60, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
_MAX_INPUT_DIGITS: Final = 30

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _exact(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` in the exact context: a result is exact or an exception is raised."""

    @wraps(function)
    def in_exact_context(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_EXACT):
            return function(*args, **kwargs)

    return in_exact_context


def _number(name: str, value: Decimal) -> Decimal:
    """Accept a finite Decimal (or int); refuse float, because float is why this module exists."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(
            f"{name} must be a Decimal, not {type(value).__name__} (floats are not exact)"
        )
    number = Decimal(value)
    if not number.is_finite():
        raise MpeError(f"{name} must be a finite number, got {value}")
    return number


def _mass(name: str, value: Decimal) -> Decimal:
    """A mass that cannot be negative (a weight on the receptor, e, Max, Min)."""
    number = _number(name, value)
    if number < 0:
        raise MassError(f"{name} must not be negative, got {format_mass(number)}")
    return number


# --- Masses as text -----------------------------------------------------------------------------

GRAMS_PER_UNIT: Final = MappingProxyType(
    {"mg": Decimal("0.001"), "g": Decimal(1), "kg": Decimal(1000)}
)

# Lower-case units only: "Mg" would be a megagram, and a verifier's typo should fail, not guess.
_MASS_TEXT: Final = re.compile(r"\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>mg|g|kg)\s*")


def format_decimal(value: Decimal) -> str:
    """Write a Decimal in plain notation without trailing zeros: ``Decimal("7.50")`` → ``"7.5"``.

    Why not ``str``: it gives ``"1.5E+4"`` for some values and keeps trailing zeros, and these
    strings go into JSON, certificates and messages a person reads.
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@_exact
def parse_mass(text: str) -> Decimal:
    """Read a mass written with its unit (``"5g"``, ``"2505 g"``, ``"15kg"``, ``"500mg"``) in grams.

    The unit is required: a bare number is exactly the ambiguity (grams or kilograms?) that lets a
    wrong MPE through. Signs, exponents and thousands separators are refused.
    """
    match = _MASS_TEXT.fullmatch(text)
    if match is None:
        raise MassError(
            f"not a mass: {text!r} (expected a number and a unit mg, g or kg, e.g. '5g', "
            "'2505 g', '15kg', '500mg')"
        )
    number = match["number"]
    if sum(character.isdigit() for character in number) > _MAX_INPUT_DIGITS:
        raise MassError(f"not a mass: {text!r} has more than {_MAX_INPUT_DIGITS} digits")
    return Decimal(number) * GRAMS_PER_UNIT[match["unit"]]


@_exact
def format_mass(grams: Decimal, unit: str = "g") -> str:
    """Write a mass in grams as text in ``unit`` (mg, g or kg): ``Decimal(2505)`` → ``"2505 g"``."""
    if unit not in GRAMS_PER_UNIT:
        raise MassError(f"unknown mass unit {unit!r} (use mg, g or kg)")
    return f"{format_decimal(grams / GRAMS_PER_UNIT[unit])} {unit}"


# --- Accuracy classes and allowed configurations (brief §4.1) -----------------------------------


class AccuracyClass(StrEnum):
    """OIML R76 accuracy class (准确度等级), valued by the Roman numeral marked on the scale.

    Retail price-computing scales are class III (中准确度级) or IIII (普通准确度级); I and II are
    here because the table is one table and the engine should not be the reason a laboratory
    balance cannot be registered.
    """

    SPECIAL = "I"
    HIGH = "II"
    MEDIUM = "III"
    ORDINARY = "IIII"


@dataclass(frozen=True, slots=True)
class IntervalRule:
    """One row of the R76 / NAWI Annex I table of classes: limits for a range of e in a class.

    A class has two rows where the rules change with e (class II at 0.1 g, class III at 5 g).
    """

    accuracy_class: AccuracyClass
    e_from: Decimal
    """Smallest e of this row, grams, inclusive."""
    e_to: Decimal | None
    """Largest e of this row, grams, inclusive; ``None``: no upper limit."""
    min_capacity_e: int
    """Smallest Min allowed, in e."""
    n_min: int
    """Smallest number of verification intervals n = Max / e."""
    n_max: int | None
    """Largest n; ``None``: unlimited (class I)."""

    def covers(self, e: Decimal) -> bool:
        """Whether this row applies to an instrument with verification interval ``e``."""
        return self.e_from <= e and (self.e_to is None or e <= self.e_to)

    def describe_e_range(self) -> str:
        """The e range in words, for messages: ``"e >= 5 g"`` or ``"0.1 g <= e <= 2 g"``."""
        if self.e_to is None:
            return f"e >= {format_mass(self.e_from)}"
        return f"{format_mass(self.e_from)} <= e <= {format_mass(self.e_to)}"


CLASS_RULES: Final[tuple[IntervalRule, ...]] = (
    IntervalRule(AccuracyClass.SPECIAL, Decimal("0.001"), None, 100, 50_000, None),
    IntervalRule(AccuracyClass.HIGH, Decimal("0.001"), Decimal("0.05"), 20, 100, 100_000),
    IntervalRule(AccuracyClass.HIGH, Decimal("0.1"), None, 50, 5_000, 100_000),
    IntervalRule(AccuracyClass.MEDIUM, Decimal("0.1"), Decimal("2"), 20, 100, 10_000),
    IntervalRule(AccuracyClass.MEDIUM, Decimal("5"), None, 20, 500, 10_000),
    IntervalRule(AccuracyClass.ORDINARY, Decimal("5"), None, 10, 100, 1_000),
)
"""The table of brief §4.1 (R76-1 table 3, NAWI Annex I table 1), one row per line of it.

Not modelled: Min reduced to 5 e for class II/III instruments that determine transport tariffs,
and instruments with an auxiliary indicating device (d < e) — neither is a retail scale.
"""


def interval_rule(accuracy_class: AccuracyClass, e: Decimal) -> IntervalRule | None:
    """The table row for ``accuracy_class`` with interval ``e``, or ``None`` if e is outside it."""
    accuracy_class = AccuracyClass(accuracy_class)
    e = _number("e", e)
    for rule in CLASS_RULES:
        if rule.accuracy_class is accuracy_class and rule.covers(e):
            return rule
    return None


def minimum_e(accuracy_class: AccuracyClass) -> Decimal:
    """The smallest verification interval the class allows, in grams (III: 0.1 g, IIII: 5 g)."""
    accuracy_class = AccuracyClass(accuracy_class)
    return min(rule.e_from for rule in CLASS_RULES if rule.accuracy_class is accuracy_class)


def _class_n_max(accuracy_class: AccuracyClass) -> int | None:
    """The largest n any row of the class allows; ``None`` for unlimited (class I)."""
    limits = [rule.n_max for rule in CLASS_RULES if rule.accuracy_class is accuracy_class]
    return None if None in limits else max(limit for limit in limits if limit is not None)


def is_verification_interval(e: Decimal) -> bool:
    """Whether ``e`` (grams) is 1, 2 or 5 × 10^k, the only values R76 allows for e and d.

    Because 10^k moves the decimal point only, the test is on the significant digits: after
    dropping trailing zeros the coefficient must be exactly 1, 2 or 5. (``Decimal.normalize`` is
    not used: it rounds to the context precision, which would accept 1.000…0001.)
    """
    e = _number("e", e)
    if e <= 0:
        return False
    digits = list(e.as_tuple().digits)
    while digits and digits[-1] == 0:
        digits.pop()
    return digits in ([1], [2], [5])


@_exact
def highest_indication(*, e: Decimal, max_capacity: Decimal) -> Decimal:
    """Max + 9 e: above this load the instrument must not indicate at all (NAWI Annex I)."""
    return _mass("Max", max_capacity) + 9 * _mass("e", e)


@dataclass(frozen=True, slots=True)
class ConfigurationCheck:
    """Whether a class / e / Max / Min combination is allowed, and why not."""

    accuracy_class: AccuracyClass
    e: Decimal
    max_capacity: Decimal
    min_capacity: Decimal | None
    rule: IntervalRule | None
    """The table row that applied, ``None`` if e fits no row of the class."""
    n: Decimal | None
    """Max / e, ``None`` when e is not a valid interval or Max is not positive."""
    smallest_min_capacity: Decimal | None
    """The smallest Min the row allows, grams (``rule.min_capacity_e × e``)."""
    highest_indication: Decimal | None
    """Max + 9 e, ``None`` when e or Max is not positive."""
    valid: bool
    reasons: tuple[str, ...]
    """One short English sentence per violation; empty when valid."""


@_exact
def check_configuration(
    accuracy_class: AccuracyClass,
    e: Decimal,
    max_capacity: Decimal,
    min_capacity: Decimal | None = None,
) -> ConfigurationCheck:
    """Check a nameplate's class, e, Max and (if given) Min against the table of classes.

    Every violation found is reported, not only the first, so that a registration form can show
    them all at once. Beyond the table, Max must be a whole number of e (the table's n = Max / e
    is a count of intervals) and Min must be below Max.
    """
    accuracy_class = AccuracyClass(accuracy_class)
    e = _number("e", e)
    max_capacity = _number("Max", max_capacity)
    if min_capacity is not None:
        min_capacity = _number("Min", min_capacity)
    reasons: list[str] = []
    rule: IntervalRule | None = None

    if e <= 0:
        reasons.append(f"e must be positive, got {format_mass(e)}")
    elif not is_verification_interval(e):
        reasons.append(f"e = {format_mass(e)} is not 1, 2 or 5 × 10^k g")
    elif e < minimum_e(accuracy_class):
        reasons.append(
            f"e = {format_mass(e)} is below {format_mass(minimum_e(accuracy_class))}, "
            f"the smallest e for class {accuracy_class}"
        )
    else:
        rule = interval_rule(accuracy_class, e)
    if max_capacity <= 0:
        reasons.append(f"Max must be positive, got {format_mass(max_capacity)}")

    n: Decimal | None = None
    top: Decimal | None = None
    if e > 0 and max_capacity > 0:
        top = max_capacity + 9 * e
    if is_verification_interval(e) and max_capacity > 0:
        n = max_capacity / e  # exact: 1/e is finite because e is 1, 2 or 5 × 10^k
        if rule is not None and n != n.to_integral_value():
            reasons.append(
                f"Max = {format_mass(max_capacity)} is not a whole multiple of e = {format_mass(e)}"
            )
    smallest_min = None if rule is None else rule.min_capacity_e * e
    if rule is not None and n is not None:
        where = f"class {accuracy_class} with {rule.describe_e_range()}"
        if n < rule.n_min:
            reasons.append(
                f"n = Max/e = {format_decimal(n)} is below {rule.n_min}, the minimum for {where}"
            )
        if rule.n_max is not None and n > rule.n_max:
            reasons.append(
                f"n = Max/e = {format_decimal(n)} is above {rule.n_max}, the maximum for {where}"
            )
    if min_capacity is not None:
        if min_capacity <= 0:
            reasons.append(f"Min must be positive, got {format_mass(min_capacity)}")
        elif smallest_min is not None and rule is not None and min_capacity < smallest_min:
            reasons.append(
                f"Min = {format_mass(min_capacity)} is below {rule.min_capacity_e} e = "
                f"{format_mass(smallest_min)}, the minimum for class {accuracy_class} "
                f"with {rule.describe_e_range()}"
            )
        if max_capacity > 0 and min_capacity >= max_capacity:
            reasons.append(
                f"Min = {format_mass(min_capacity)} must be below Max = {format_mass(max_capacity)}"
            )

    return ConfigurationCheck(
        accuracy_class=accuracy_class,
        e=e,
        max_capacity=max_capacity,
        min_capacity=min_capacity,
        rule=rule,
        n=n,
        smallest_min_capacity=smallest_min,
        highest_indication=top,
        valid=not reasons,
        reasons=tuple(reasons),
    )


# --- Maximum permissible errors (brief §4.2) ----------------------------------------------------

MPE_BAND_ENDS_E: Final = MappingProxyType(
    {
        AccuracyClass.SPECIAL: (50_000, 200_000),
        AccuracyClass.HIGH: (5_000, 20_000),
        AccuracyClass.MEDIUM: (500, 2_000),
        AccuracyClass.ORDINARY: (50, 200),
    }
)
"""Where the initial-verification MPE steps up, in e, per class (brief §4.2 table).

For ``(a, b)``: 0 ≤ m ≤ a → ±0.5 e; a < m ≤ b → ±1 e; b < m → ±1.5 e, up to Max + 9 e.
(The table writes the last band's end as the class's largest n — 100,000 e for II, 10,000 e for
III, 1,000 e for IIII — since no instrument of the class may have a larger Max.)
"""

_MPE_STEPS_E: Final = (Decimal("0.5"), Decimal(1), Decimal("1.5"))
ZERO_SETTING_LIMIT_E: Final = Decimal("0.25")
"""Zero-setting and tare-setting accuracy: |E0| ≤ 0.25 e (brief §4.2, R76 zero/tare devices)."""


def mpe_multiple(accuracy_class: AccuracyClass, load_in_e: Decimal) -> Decimal:
    """The initial-verification MPE, in e, for a load of ``load_in_e`` intervals (0.5, 1 or 1.5).

    This is the brief's table read literally; a load on a boundary takes the smaller limit
    because each band includes its upper end.
    """
    load_in_e = _number("load in e", load_in_e)
    if load_in_e < 0:
        raise LoadOutOfRangeError(f"load must not be negative, got {format_decimal(load_in_e)} e")
    first_end, second_end = MPE_BAND_ENDS_E[AccuracyClass(accuracy_class)]
    if load_in_e <= first_end:
        return _MPE_STEPS_E[0]
    if load_in_e <= second_end:
        return _MPE_STEPS_E[1]
    return _MPE_STEPS_E[2]


@dataclass(frozen=True, slots=True)
class ErrorLimit:
    """The maximum permissible error for one load, with what it was computed from."""

    accuracy_class: AccuracyClass
    e: Decimal
    load: Decimal
    max_capacity: Decimal | None
    in_service: bool
    load_in_e: Decimal
    mpe_in_e: Decimal
    """The limit as a multiple of e: 0.5, 1 or 1.5 (doubled in service)."""
    mpe: Decimal
    """The limit in grams; an error E passes when −mpe ≤ E ≤ mpe."""
    highest_load: Decimal | None
    """The largest load this limit may be asked for: Max + 9 e, or without Max the class's
    largest n × e + 9 e; ``None`` when unbounded (class I without Max)."""

    @property
    def stage(self) -> str:
        """Which column of the table applies, in words."""
        return "in service" if self.in_service else "initial/subsequent verification"


@_exact
def error_limit(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    load: Decimal,
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> ErrorLimit:
    """The MPE for ``load`` on an instrument of ``accuracy_class`` with interval ``e``.

    ``in_service=False`` is initial or subsequent verification; ``True`` is in-service inspection,
    where every limit is twice the initial one. Given ``max_capacity``, a load above Max + 9 e is
    refused, because the instrument must not indicate there; without it, the bound is the largest
    Max the class allows for this e. This function does not re-check the configuration (whether e
    suits the class, n, Min): :func:`check_configuration` does that once, at registration.
    """
    accuracy_class = AccuracyClass(accuracy_class)
    e = _number("e", e)
    load = _number("load", load)
    if not is_verification_interval(e):
        raise ConfigurationError(f"e = {format_mass(e)} is not a positive 1, 2 or 5 × 10^k g")
    if max_capacity is not None:
        max_capacity = _number("Max", max_capacity)
        if max_capacity <= 0:
            raise ConfigurationError(f"Max must be positive, got {format_mass(max_capacity)}")
    if load < 0:
        raise LoadOutOfRangeError(f"load must not be negative, got {format_mass(load)}")

    class_n_max = _class_n_max(accuracy_class)
    highest_load: Decimal | None = None
    if max_capacity is not None:
        top = max_capacity + 9 * e
        if load > top:
            raise LoadOutOfRangeError(
                f"load {format_mass(load)} is above Max + 9 e = {format_mass(top)}"
            )
        highest_load = top
    elif class_n_max is not None:
        top = (class_n_max + 9) * e
        if load > top:
            raise LoadOutOfRangeError(
                f"load {format_mass(load)} is above {class_n_max} e + 9 e = "
                f"{format_mass(top)}, the most any class {accuracy_class} instrument "
                f"with e = {format_mass(e)} may indicate"
            )
        highest_load = top

    load_in_e = load / e  # exact: 1/e is finite because e is 1, 2 or 5 × 10^k
    multiple = mpe_multiple(accuracy_class, load_in_e) * (2 if in_service else 1)
    return ErrorLimit(
        accuracy_class=accuracy_class,
        e=e,
        load=load,
        max_capacity=max_capacity,
        in_service=in_service,
        load_in_e=load_in_e,
        mpe_in_e=multiple,
        mpe=multiple * e,
        highest_load=highest_load,
    )


def maximum_permissible_error(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    load: Decimal,
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> Decimal:
    """The MPE in grams for ``load`` — :func:`error_limit` when only the number is wanted."""
    return error_limit(
        accuracy_class=accuracy_class,
        e=e,
        load=load,
        max_capacity=max_capacity,
        in_service=in_service,
    ).mpe


# --- Error by the changeover-point method (brief §4.4) ------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeoverReading:
    """One observation by the changeover-point method (闪变点法), as the verifier writes it down.

    With test weights ``load`` (L) on the receptor the scale shows ``indication`` (I); small
    weights of 0.1 e are then added until the indication steps up by one e, and their total is
    ``added_weight`` (ΔL). All three in grams. The indication may be negative (near zero); the
    load and the added weight may not.
    """

    load: Decimal
    indication: Decimal
    added_weight: Decimal

    def __post_init__(self) -> None:
        load = _number("load", self.load)
        if load < 0:
            raise LoadOutOfRangeError(f"load must not be negative, got {format_mass(load)}")
        object.__setattr__(self, "load", load)
        object.__setattr__(self, "indication", _number("indication", self.indication))
        object.__setattr__(self, "added_weight", _mass("added weight", self.added_weight))


@_exact
def indication_before_rounding(*, e: Decimal, reading: ChangeoverReading) -> Decimal:
    """P = I + e/2 − ΔL: the indication the scale would show if it did not round to e.

    Why: a digital scale shows whole e, so a single reading hides up to ±e/2 of error. The
    indication steps from I to I + e where the rounding boundary I + e/2 is crossed, which
    happened at the load L + ΔL; so the unrounded indication at L is I + e/2 − ΔL.
    """
    return reading.indication + _mass("e", e) * Decimal("0.5") - reading.added_weight


@_exact
def changeover_error(*, e: Decimal, reading: ChangeoverReading) -> Decimal:
    """E = P − L: the error of the indication at load L (positive: reads heavy)."""
    return indication_before_rounding(e=e, reading=reading) - reading.load


def within_limit(error: Decimal, limit: Decimal) -> bool:
    """|error| ≤ limit — symmetric, and an error equal to the limit passes."""
    return abs(_number("error", error)) <= _mass("limit", limit)


@dataclass(frozen=True, slots=True)
class WeighingPointResult:
    """One load of a weighing, eccentricity or tare test: the reading, its errors and its limit."""

    reading: ChangeoverReading
    e: Decimal
    indication_before_rounding: Decimal
    """P = I + e/2 − ΔL."""
    error: Decimal
    """E = P − L."""
    zero_error: Decimal
    """E0, the error at or near zero that corrects this point."""
    corrected_error: Decimal
    """Ec = E − E0, judged against ``mpe``."""
    mpe: Decimal
    passed: bool


@_exact
def weighing_point_check(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    reading: ChangeoverReading,
    zero_error: Decimal = Decimal(0),
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> WeighingPointResult:
    """Judge one changeover reading: |Ec| = |E − E0| must not exceed the MPE for its load.

    Why subtract E0: the error found near zero is present at every load; removing it judges the
    span of the instrument rather than where its zero happened to sit at the start of the test.
    """
    zero_error = _number("zero error", zero_error)
    limit = maximum_permissible_error(
        accuracy_class=accuracy_class,
        e=e,
        load=reading.load,
        max_capacity=max_capacity,
        in_service=in_service,
    )
    unrounded = indication_before_rounding(e=e, reading=reading)
    error = unrounded - reading.load
    corrected = error - zero_error
    return WeighingPointResult(
        reading=reading,
        e=_number("e", e),
        indication_before_rounding=unrounded,
        error=error,
        zero_error=zero_error,
        corrected_error=corrected,
        mpe=limit,
        passed=within_limit(corrected, limit),
    )


@dataclass(frozen=True, slots=True)
class WeighingTestResult:
    """The weighing test: loads increasing to Max and decreasing back, each corrected by E0."""

    zero_reading: ChangeoverReading
    zero_error: Decimal
    """E0, from ``zero_reading``."""
    increasing: tuple[WeighingPointResult, ...]
    decreasing: tuple[WeighingPointResult, ...]
    passed: bool


def weighing_test(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    zero_reading: ChangeoverReading,
    increasing: Sequence[ChangeoverReading],
    decreasing: Sequence[ChangeoverReading] = (),
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> WeighingTestResult:
    """Judge a weighing test: E0 from ``zero_reading`` (at zero or near it, about 10 e), then
    every increasing and decreasing point against the MPE for its load.

    The test passes when every point does. At least one increasing point is required; decreasing
    points may be absent where the procedure does not ask for them.
    """
    if not increasing:
        raise MpeError("a weighing test needs at least one increasing load")
    zero_error = changeover_error(e=e, reading=zero_reading)

    def judge(readings: Sequence[ChangeoverReading]) -> tuple[WeighingPointResult, ...]:
        return tuple(
            weighing_point_check(
                accuracy_class=accuracy_class,
                e=e,
                reading=reading,
                zero_error=zero_error,
                max_capacity=max_capacity,
                in_service=in_service,
            )
            for reading in readings
        )

    up, down = judge(increasing), judge(decreasing)
    return WeighingTestResult(
        zero_reading=zero_reading,
        zero_error=zero_error,
        increasing=up,
        decreasing=down,
        passed=all(point.passed for point in up + down),
    )


@dataclass(frozen=True, slots=True)
class EccentricityResult:
    """The eccentricity test (偏载): the same load in each position of the receptor."""

    positions: tuple[WeighingPointResult, ...]
    """In the order given; R76 numbers the centre 1 and the four quarters 2 to 5."""
    passed: bool


def eccentricity_test(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    positions: Sequence[ChangeoverReading],
    zero_error: Decimal = Decimal(0),
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> EccentricityResult:
    """Judge each position's corrected error against the MPE for the load placed there
    (normally about one third of Max); the test passes when every position does.
    """
    if not positions:
        raise MpeError("an eccentricity test needs at least one position")
    results = tuple(
        weighing_point_check(
            accuracy_class=accuracy_class,
            e=e,
            reading=reading,
            zero_error=zero_error,
            max_capacity=max_capacity,
            in_service=in_service,
        )
        for reading in positions
    )
    return EccentricityResult(positions=results, passed=all(point.passed for point in results))


@dataclass(frozen=True, slots=True)
class RepeatabilityResult:
    """The repeatability test (重复性): several weighings of one load."""

    readings: tuple[ChangeoverReading, ...]
    errors: tuple[Decimal, ...]
    """E of each weighing, in the order given."""
    spread: Decimal
    """Largest minus smallest result."""
    mpe: Decimal
    """The absolute MPE for the load, the limit of the spread."""
    passed: bool


@_exact
def repeatability_test(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    readings: Sequence[ChangeoverReading],
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> RepeatabilityResult:
    """The difference between the largest and smallest result must not exceed |MPE| for the load.

    Results are compared through their errors E = P − L; with one load for all weighings the
    spread of the errors is the spread of the unrounded indications. Each weighing's own error
    is not judged here — that is the weighing test's job.
    """
    if len(readings) < 2:
        raise MpeError("a repeatability test needs at least two weighings")
    loads = {reading.load for reading in readings}
    if len(loads) != 1:
        raise MpeError(
            "a repeatability test weighs one load several times, got loads "
            + ", ".join(format_mass(load) for load in sorted(loads))
        )
    limit = maximum_permissible_error(
        accuracy_class=accuracy_class,
        e=e,
        load=readings[0].load,
        max_capacity=max_capacity,
        in_service=in_service,
    )
    errors = tuple(changeover_error(e=e, reading=reading) for reading in readings)
    spread = max(errors) - min(errors)
    return RepeatabilityResult(
        readings=tuple(readings),
        errors=errors,
        spread=spread,
        mpe=limit,
        passed=spread <= limit,
    )


@dataclass(frozen=True, slots=True)
class ZeroSettingResult:
    """Zero-setting accuracy (置零准确度): the error left after the scale was set to zero."""

    e: Decimal
    reading: ChangeoverReading
    zero_error: Decimal
    """E0 by the changeover method."""
    limit: Decimal
    """0.25 e — the same at verification and in service."""
    passed: bool


@_exact
def zero_setting_check(*, e: Decimal, reading: ChangeoverReading) -> ZeroSettingResult:
    """After zero-setting, |E0| ≤ 0.25 e.

    ``reading`` is taken at zero (L = 0) or with a small load where the method needs one to see
    below zero; E0 is its changeover error.
    """
    e = _mass("e", e)
    zero_error = changeover_error(e=e, reading=reading)
    limit = ZERO_SETTING_LIMIT_E * e
    return ZeroSettingResult(
        e=e,
        reading=reading,
        zero_error=zero_error,
        limit=limit,
        passed=within_limit(zero_error, limit),
    )


@dataclass(frozen=True, slots=True)
class TareResult:
    """The tare test (去皮): tare-setting accuracy, then net weighings on the tare."""

    tare_load: Decimal
    tare_zero_reading: ChangeoverReading
    """Net zero after taring; its load is the net load, 0."""
    tare_zero_error: Decimal
    tare_limit: Decimal
    """0.25 e."""
    tare_setting_passed: bool
    net_points: tuple[WeighingPointResult, ...]
    """Loads are net loads; each judged against the MPE for its net load, corrected by the
    tare-zero error."""
    passed: bool


@_exact
def tare_test(
    *,
    accuracy_class: AccuracyClass,
    e: Decimal,
    tare_load: Decimal,
    tare_zero_reading: ChangeoverReading,
    net_readings: Sequence[ChangeoverReading] = (),
    max_capacity: Decimal | None = None,
    in_service: bool = False,
) -> TareResult:
    """Judge taring: net zero within ±0.25 e, and each net load within the MPE for that net load.

    The MPE applies to net values (brief §4.2); it is taken for the net load, as for a gross load
    of the same size — the reading of R76 for a single-interval instrument. With ``max_capacity``,
    tare plus net load must not exceed Max + 9 e.
    """
    tare_load = _mass("tare load", tare_load)
    e = _mass("e", e)
    if max_capacity is not None:
        top = highest_indication(e=e, max_capacity=max_capacity)
        for reading in net_readings:
            if tare_load + reading.load > top:
                raise LoadOutOfRangeError(
                    f"tare {format_mass(tare_load)} plus net load {format_mass(reading.load)} "
                    f"is above Max + 9 e = {format_mass(top)}"
                )
    tare_zero_error = changeover_error(e=e, reading=tare_zero_reading)
    limit = ZERO_SETTING_LIMIT_E * e
    setting_passed = within_limit(tare_zero_error, limit)
    points = tuple(
        weighing_point_check(
            accuracy_class=accuracy_class,
            e=e,
            reading=reading,
            zero_error=tare_zero_error,
            max_capacity=max_capacity,
            in_service=in_service,
        )
        for reading in net_readings
    )
    return TareResult(
        tare_load=tare_load,
        tare_zero_reading=tare_zero_reading,
        tare_zero_error=tare_zero_error,
        tare_limit=limit,
        tare_setting_passed=setting_passed,
        net_points=points,
        passed=setting_passed and all(point.passed for point in points),
    )


# --- Price computation (JJG 1204 §6.9) ----------------------------------------------------------

FEN: Final = Decimal("0.01")
_ROUNDING: Final = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation])


def round_to_fen(amount: Decimal) -> Decimal:
    """Round an amount in yuan to the fen (0.01 yuan), halves away from zero (四舍五入).

    The rule: R76 asks for the price to pay "rounded to the nearest interval of price to pay"
    without saying which way a half goes; 四舍五入 (ROUND_HALF_UP) is how Chinese retail rounds
    money, so 0.075 yuan → 0.08 yuan and 0.074 yuan → 0.07 yuan. This is the only place in the
    module that rounds.
    """
    return _number("amount", amount).quantize(FEN, context=_ROUNDING)


@_exact
def _amount_before_rounding(net_weight: Decimal, unit_price: Decimal) -> Decimal:
    """Net kilograms × yuan per kilogram, exactly."""
    return _mass("net weight", net_weight) * Decimal("0.001") * _mass("unit price", unit_price)


def price_to_pay(*, net_weight: Decimal, unit_price: Decimal) -> Decimal:
    """The amount a price-computing scale must show: round_to_fen(net kg × yuan per kg).

    ``net_weight`` is the displayed net weight in grams — the buyer pays for what is shown — and
    ``unit_price`` is in yuan per kilogram, the legal unit.
    """
    return round_to_fen(_amount_before_rounding(net_weight, unit_price))


@dataclass(frozen=True, slots=True)
class PriceComputationResult:
    """The price-computation check: the displayed amount against the amount computed here."""

    net_weight: Decimal
    """Displayed net weight, grams."""
    unit_price: Decimal
    """Yuan per kilogram."""
    displayed_amount: Decimal
    exact_amount: Decimal
    """Net kg × unit price, before rounding."""
    computed_amount: Decimal
    """``exact_amount`` rounded to the fen by :func:`round_to_fen`."""
    passed: bool


def price_computation_check(
    *, net_weight: Decimal, unit_price: Decimal, displayed_amount: Decimal
) -> PriceComputationResult:
    """Passes when the displayed amount equals round_to_fen(net weight × unit price) exactly.

    No tolerance: the amount is arithmetic, not measurement, so any difference is a fault (or a
    fiddle, such as a decimal-shifted unit price).
    """
    net_weight = _mass("net weight", net_weight)
    unit_price = _mass("unit price", unit_price)
    displayed_amount = _number("displayed amount", displayed_amount)
    exact = _amount_before_rounding(net_weight, unit_price)
    computed = round_to_fen(exact)
    return PriceComputationResult(
        net_weight=net_weight,
        unit_price=unit_price,
        displayed_amount=displayed_amount,
        exact_amount=exact,
        computed_amount=computed,
        passed=displayed_amount == computed,
    )


# --- As-found code (Measurement Canada) ---------------------------------------------------------


class AsFoundCode(StrEnum):
    """How far out of tolerance an instrument was found, and against whom (Measurement Canada).

    Sign convention (as everywhere in this module): an error E = indication − true load.
    E > 0 means the scale reads heavy, so the buyer pays for goods not received: **R** codes,
    against the buyer (consumer). E < 0 means it reads light: **W** codes, against the seller
    (trader). The digit is how many limits the error exceeds: 1 for more than 1× up to 2×, 2 for
    more than 2× up to 3×, 3 for more than 3× — each band includes its upper end, like the MPE
    table. The installation (I) and non-measurement (N) codes are not derived from errors and
    are not here.
    """

    COMPLIANT = "C"
    AGAINST_BUYER_1 = "R1"
    AGAINST_BUYER_2 = "R2"
    AGAINST_BUYER_3 = "R3"
    AGAINST_SELLER_1 = "W1"
    AGAINST_SELLER_2 = "W2"
    AGAINST_SELLER_3 = "W3"


def as_found_code(findings: Iterable[tuple[Decimal, Decimal]]) -> AsFoundCode:
    """The code for the worst of ``(error, limit)`` pairs, worst meaning largest |error| / limit.

    Pass the corrected error and MPE of each point judged (``(p.corrected_error, p.mpe)``).
    The ratio is compared as an exact fraction. If an error against the buyer and one against
    the seller are equally bad, the buyer's is recorded: protecting the buyer is why the scale is
    verified at all.
    """
    worst: tuple[Fraction, bool] | None = None
    worst_error = Decimal(0)
    for error, limit in findings:
        error = _number("error", error)
        limit = _mass("limit", limit)
        if limit == 0:
            raise MpeError("a limit must be positive to compare an error with it")
        key = (Fraction(abs(error)) / Fraction(limit), error > 0)
        if worst is None or key > worst:
            worst, worst_error = key, error
    if worst is None:
        raise MpeError("an as-found code needs at least one error and its limit")
    ratio = worst[0]
    if ratio <= 1:
        return AsFoundCode.COMPLIANT
    severity = 1 if ratio <= 2 else 2 if ratio <= 3 else 3
    side = "R" if worst_error > 0 else "W"
    return AsFoundCode(f"{side}{severity}")
