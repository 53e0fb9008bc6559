"""``chengxin mpe``: the MPE engine on the command line, for verifiers and for checking by hand.

Two questions, chosen by the options given:

* ``--class III --e 5g --load 2505g [--max 15kg] [--in-service] [--json]`` — the maximum
  permissible error at that load;
* ``--class III --e 5g --max 15kg [--min 100g] [--json]`` — whether that configuration is allowed.

Exit codes: 0 answered (and, for a configuration, valid); 1 the configuration is invalid; 2 bad
input, reported as one line on stderr. Like :mod:`chengxin.verification.mpe`, this module must
never import Django — it has to run on a verifier's laptop with nothing but the standard library —
and it holds no domain rule of its own: it parses, calls the engine and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import NoReturn

from chengxin.verification.mpe import (
    AccuracyClass,
    ConfigurationCheck,
    ErrorLimit,
    MassError,
    MpeError,
    check_configuration,
    error_limit,
    format_decimal,
    format_mass,
    parse_mass,
)

PROG = "chengxin mpe"


class _UsageError(Exception):
    """Raised instead of argparse's print-usage-and-exit, so main() can return 2 itself."""


class _HelpShown(Exception):
    """Raised instead of argparse's exit after --help, so main() returns instead of exiting."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that never calls sys.exit, so that main() stays a plain function."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _HelpShown(status)


def _accuracy_class(text: str) -> AccuracyClass:
    try:
        return AccuracyClass(text.strip().upper())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"unknown accuracy class {text!r} (use I, II, III or IIII)"
        ) from None


def _mass(text: str) -> Decimal:
    try:
        return parse_mass(text)
    except MassError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; separate from main() so the lead's ``chengxin`` command can reuse it."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Maximum permissible error (OIML R76 / JJG 539) for a load, or a check of a scale's "
            "class, e, Max and Min. Masses take a unit: mg, g or kg (e.g. 5g, 2505 g, 15kg)."
        ),
        epilog="Exit status: 0 answered, 1 configuration invalid, 2 bad input.",
    )
    parser.add_argument(
        "--class",
        dest="accuracy_class",
        required=True,
        type=_accuracy_class,
        metavar="{I,II,III,IIII}",
        help="accuracy class",
    )
    parser.add_argument("--e", required=True, type=_mass, help="verification interval e")
    parser.add_argument("--load", type=_mass, help="the load to give the MPE for")
    parser.add_argument(
        "--max",
        dest="max_capacity",
        type=_mass,
        help="Max: checks the configuration, or with --load bounds it at Max + 9 e",
    )
    parser.add_argument(
        "--min", dest="min_capacity", type=_mass, help="Min, for the configuration check"
    )
    parser.add_argument(
        "--in-service",
        action="store_true",
        help="in-service inspection limits (twice initial/subsequent verification)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _limit_json(limit: ErrorLimit) -> dict[str, object]:
    def grams(value: Decimal | None) -> str | None:
        return None if value is None else format_decimal(value)

    return {
        "mpe_g": format_decimal(limit.mpe),
        "mpe_e": format_decimal(limit.mpe_in_e),
        "load_g": format_decimal(limit.load),
        "load_e": format_decimal(limit.load_in_e),
        "class": str(limit.accuracy_class),
        "e_g": format_decimal(limit.e),
        "max_g": grams(limit.max_capacity),
        "highest_load_g": grams(limit.highest_load),
        "in_service": limit.in_service,
        "stage": limit.stage,
    }


def _limit_text(limit: ErrorLimit) -> str:
    return (
        f"MPE at {format_mass(limit.load)} (class {limit.accuracy_class}, "
        f"e = {format_mass(limit.e)}, {limit.stage}): ±{format_mass(limit.mpe)}"
    )


def _check_json(check: ConfigurationCheck) -> dict[str, object]:
    def grams(value: Decimal | None) -> str | None:
        return None if value is None else format_decimal(value)

    return {
        "valid": check.valid,
        "reasons": list(check.reasons),
        "class": str(check.accuracy_class),
        "e_g": format_decimal(check.e),
        "max_g": format_decimal(check.max_capacity),
        "min_g": grams(check.min_capacity),
        "n": grams(check.n),
        "n_min": None if check.rule is None else check.rule.n_min,
        "n_max": None if check.rule is None else check.rule.n_max,
        "smallest_min_g": grams(check.smallest_min_capacity),
        "highest_indication_g": grams(check.highest_indication),
    }


def _check_text(check: ConfigurationCheck) -> str:
    given = f"class {check.accuracy_class}, e = {format_mass(check.e)}, "
    given += f"Max = {format_mass(check.max_capacity)}"
    if check.min_capacity is not None:
        given += f", Min = {format_mass(check.min_capacity)}"
    lines = [f"Configuration ({given}): {'valid' if check.valid else 'INVALID'}"]
    lines += [f"  - {reason}" for reason in check.reasons]
    rule = check.rule
    if rule is not None and check.n is not None:
        allowed = (
            f"{rule.n_min} to {rule.n_max}" if rule.n_max is not None else f"at least {rule.n_min}"
        )
        lines.append(
            f"  n = Max/e = {format_decimal(check.n)} "
            f"(class {rule.accuracy_class} with {rule.describe_e_range()}: {allowed})"
        )
    if rule is not None and check.smallest_min_capacity is not None:
        lines.append(
            f"  smallest Min allowed: {rule.min_capacity_e} e = "
            f"{format_mass(check.smallest_min_capacity)}"
        )
    if check.highest_indication is not None:
        lines.append(f"  highest indication: Max + 9 e = {format_mass(check.highest_indication)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``chengxin mpe`` with ``argv`` (default: the process arguments); return the exit code.

    Never raises for bad input and never calls sys.exit: the caller decides what to do with the
    code, which keeps this testable and embeddable.
    """
    parser = build_parser()
    try:
        options = parser.parse_args(argv)
        if options.load is not None:
            if options.min_capacity is not None:
                parser.error("--min belongs to the configuration check; omit --load to run it")
            limit = error_limit(
                accuracy_class=options.accuracy_class,
                e=options.e,
                load=options.load,
                max_capacity=options.max_capacity,
                in_service=options.in_service,
            )
            print(json.dumps(_limit_json(limit)) if options.json else _limit_text(limit))
            return 0
        if options.max_capacity is None:
            parser.error("give --load for an MPE, or --max (and --min) for a configuration check")
        if options.in_service:
            parser.error("--in-service applies to an MPE; give --load")
        check = check_configuration(
            options.accuracy_class, options.e, options.max_capacity, options.min_capacity
        )
        print(json.dumps(_check_json(check)) if options.json else _check_text(check))
        return 0 if check.valid else 1
    except _HelpShown as shown:
        return shown.status
    except (_UsageError, MpeError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
