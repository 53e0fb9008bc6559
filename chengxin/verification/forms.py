"""Console form for recording a verification: header, conditions, pre-checks, test-point rows.

A form converts what people typed into the plain data ``services.verification_record`` takes;
it never judges a reading or decides whether a verification is allowed (the engine and the
service do, and their ``ServiceError`` is shown on the form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chengxin.instruments.models import Scale
from chengxin.organizations.models import User

from . import selectors
from .choices import TestKind, VerificationKind

# --- test-point rows --------------------------------------------------------------------------

READING_TESTS = (
    TestKind.INCREASING,
    TestKind.DECREASING,
    TestKind.ECCENTRICITY,
    TestKind.REPEATABILITY,
)
READING_COLUMNS = ("load", "indication", "added")
PRICE_COLUMNS = ("net_weight", "unit_price", "displayed_amount")


@dataclass
class RowGroup:
    """The rows of one test as the form shows them: input values and the judged outputs."""

    test: str
    label: str | Promise
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    can_add: bool = True
    outputs: list[dict[str, Any] | None] = field(default_factory=list)

    @property
    def is_price(self) -> bool:
        return self.test == TestKind.PRICE

    @property
    def items(self) -> list[dict[str, Any]]:
        """Each row: its index, its input values, and its four judged cells (blank if none)."""
        items = []
        for i, row in enumerate(self.rows):
            point = self.outputs[i] if i < len(self.outputs) else None
            items.append(
                {
                    "index": i,
                    "values": [(column, row.get(column, "")) for column in self.columns],
                    "cells": judged_cells(point, price=self.is_price),
                    "passed": None if point is None else point["passed"],
                }
            )
        return items


def plain_number(value: Any, *, signed: bool = False) -> str:
    """A decimal as people write it: no exponent, no trailing zeros, "+" on request."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    text = format(number.normalize(), "f") if number else "0"
    return f"+{text}" if signed and number > 0 else text


def judged_cells(point: dict[str, Any] | None, *, price: bool) -> list[tuple[str, str]]:
    """(name, text) of the E, Ec, MPE and verdict cells of one row (blank before judging)."""
    if point is None:
        return [("e", ""), ("ec", ""), ("mpe", ""), ("ok", "")]
    verdict = str(_("合格") if point["passed"] else _("不合格"))
    if price:
        computed = (point.get("details") or {}).get("computed_amount")
        return [
            ("e", plain_number(point["error_g"], signed=True)),
            ("ec", plain_number(computed)),
            ("mpe", "0"),
            ("ok", verdict),
        ]
    return [
        ("e", plain_number(point["error_g"], signed=True)),
        ("ec", plain_number(point.get("corrected_error_g"), signed=True)),
        ("mpe", f"±{plain_number(point['mpe_g'])}"),
        ("ok", verdict),
    ]


def _quantise(value: Decimal, e: Decimal) -> Decimal:
    """``value`` rounded to a whole number of ``e`` (a load one can build from weights)."""
    steps = (value / e).to_integral_value(rounding=ROUND_HALF_UP)
    return max(e, steps * e)


def default_loads(scale: Scale) -> list[Decimal]:
    """Min, 500 e, 2000 e and Max (those inside the range), the usual class III/IIII points."""
    e, top = scale.e_g, scale.max_capacity_g
    loads = {scale.min_capacity_g, top}
    for multiple in (500, 2000):
        load = e * multiple
        if scale.min_capacity_g < load < top:
            loads.add(load)
    return sorted(loads)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def default_rows(scale: Scale) -> dict[str, list[dict[str, str]]]:
    """Loads pre-filled for a fresh form; indications and ΔL are what the verifier reads."""
    loads = [_plain(load) for load in default_loads(scale)]
    third = _plain(_quantise(scale.max_capacity_g / 3, scale.e_g))
    half = _plain(_quantise(scale.max_capacity_g / 2, scale.e_g))
    blank = {"indication": "", "added": ""}
    return {
        "zero": [{"load": "0", "indication": "0", "added": ""}],
        TestKind.INCREASING: [{"load": load, **blank} for load in loads],
        TestKind.DECREASING: [{"load": load, **blank} for load in reversed(loads)],
        TestKind.ECCENTRICITY: [{"load": third, **blank} for _ in range(5)],
        TestKind.REPEATABILITY: [{"load": half, **blank} for _ in range(3)],
        TestKind.PRICE: [{"net_weight": "", "unit_price": "", "displayed_amount": ""}],
    }


def posted_rows(data: Any, test: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of ``test`` as posted (``<test>-<column>`` repeated once per row)."""
    lists = [data.getlist(f"{test}-{column}") for column in columns]
    count = max((len(values) for values in lists), default=0)
    rows = []
    for i in range(count):
        rows.append(
            {
                column: (values[i] if i < len(values) else "").strip()
                for column, values in zip(columns, lists, strict=True)
            }
        )
    return rows


def rows_to_raw(rows: dict[str, list[dict[str, str]]]) -> tuple[dict[str, Any], dict[str, list]]:
    """The service's readings from the form's rows, and for each test which rows they came from.

    A row without an indication (or, for a price check, without an amount) has not been read
    yet and is left out, so that the preview works while the verifier is still typing.
    """
    raw: dict[str, Any] = {}
    origin: dict[str, list[int]] = {}
    zero = (rows.get("zero") or [{}])[0]
    if zero.get("indication"):
        raw["zero"] = {"load": "0", "indication": zero["indication"]}
        if zero.get("added"):
            raw["zero"]["added"] = zero["added"]
    for test in READING_TESTS:
        readings, used = [], []
        for i, row in enumerate(rows.get(test, [])):
            if not row.get("indication"):
                continue
            reading = {"load": row.get("load") or "0", "indication": row["indication"]}
            if row.get("added"):
                reading["added"] = row["added"]
            readings.append(reading)
            used.append(i)
        raw[str(test)] = readings
        origin[str(test)] = used
    prices, used = [], []
    for i, row in enumerate(rows.get(TestKind.PRICE, [])):
        if not row.get("displayed_amount"):
            continue
        prices.append({column: row.get(column, "") for column in PRICE_COLUMNS})
        used.append(i)
    raw["price"] = prices
    origin[str(TestKind.PRICE)] = used
    origin["zero"] = [0] if "zero" in raw else []
    return raw, origin


# --- the form ---------------------------------------------------------------------------------


class VerificationForm(forms.Form):
    """Header, conditions and pre-checks of one verification; test points come as row lists."""

    kind = forms.ChoiceField(label=_("检定类别"))
    performed_on = forms.DateField(
        label=_("检定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("检定地点"), max_length=128, required=False)
    temperature_c = forms.DecimalField(
        label=_("温度（℃）"),
        max_digits=5,
        decimal_places=1,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    standards = forms.CharField(
        label=_("使用的计量标准器"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一件：名称；证书编号；有效期至"),
    )
    identity_matches = forms.BooleanField(
        label=_("唯一性信息（一秤一码）与器具一致"), required=False
    )
    software_version = forms.CharField(label=_("显示的软件版本"), max_length=64)
    software_checksum = forms.CharField(label=_("显示的软件校验和"), max_length=128)
    seals_intact = forms.BooleanField(label=_("封印完好"), required=False)
    codes_present = forms.BooleanField(label=_("生产码、维修码齐全"), required=False)
    seal_ids = forms.CharField(
        label=_("施加的封印编号"),
        max_length=256,
        required=False,
        help_text=_("多个编号用分号分隔"),
    )
    calibration_counter = forms.IntegerField(label=_("校准计数器"), min_value=0, required=False)
    configuration_counter = forms.IntegerField(label=_("配置计数器"), min_value=0, required=False)
    # The querysets are the signer's colleagues, set per user in __init__.
    checker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("核验员"), queryset=User.objects.none(), required=False
    )
    approver: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("批准人"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, scale: Scale, user: Any, **kwargs: Any) -> None:
        kinds = selectors.verification_kinds_for(user)
        kwargs.setdefault(
            "initial",
            {
                "kind": selectors.verification_kind_for_state(scale.state, kinds),
                "performed_on": timezone.localdate(),
                "software_version": scale.software_version,
                "software_checksum": scale.software_checksum,
                "seal_ids": "; ".join(scale.seal_ids or []),
                "calibration_counter": scale.calibration_counter,
                "configuration_counter": scale.configuration_counter,
            },
        )
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.fields["kind"].choices = [(str(k), k.label) for k in kinds]  # type: ignore[attr-defined]
        colleagues = selectors.colleagues_of(user).exclude(pk=user.pk)
        self.fields["checker"].queryset = colleagues  # type: ignore[attr-defined]
        self.fields["approver"].queryset = colleagues  # type: ignore[attr-defined]
        for name in ("checker", "approver"):
            self.fields[name].label_from_instance = _person  # type: ignore[attr-defined]
        if kinds == [VerificationKind.IN_SERVICE]:
            # An inspector records no seals or counters: an inspection does not re-seal.
            for name in ("seal_ids", "calibration_counter", "configuration_counter"):
                del self.fields[name]

    # Rows ---------------------------------------------------------------------------------

    def rows(self) -> dict[str, list[dict[str, str]]]:
        if not self.is_bound:
            return default_rows(self.scale)
        rows = {"zero": posted_rows(self.data, "zero", READING_COLUMNS)}
        for test in READING_TESTS:
            rows[str(test)] = posted_rows(self.data, str(test), READING_COLUMNS)
        rows[str(TestKind.PRICE)] = posted_rows(self.data, str(TestKind.PRICE), PRICE_COLUMNS)
        return rows

    def row_groups(self, evaluation: Any = None) -> list[RowGroup]:
        """The rows of every test, each with the engine's verdict where there is one."""
        rows = self.rows()
        judged: dict[tuple[str, int], dict[str, Any]] = {}
        if evaluation is not None:
            _raw, origin = rows_to_raw(rows)
            for point in evaluation.points:
                test = str(point["test"])
                positions = origin.get(test, [])
                if 0 < point["position"] <= len(positions):
                    judged[(test, positions[point["position"] - 1])] = point
        labels = {
            "zero": (TestKind.ZERO.label, False),
            str(TestKind.INCREASING): (_("称量（加载）"), True),
            str(TestKind.DECREASING): (_("称量（卸载）"), True),
            str(TestKind.ECCENTRICITY): (_("偏载（约 1/3 Max，各区域）"), True),
            str(TestKind.REPEATABILITY): (_("重复性（同一载荷）"), True),
            str(TestKind.PRICE): (_("计价"), True),
        }
        groups = []
        for test, (label, can_add) in labels.items():
            columns = PRICE_COLUMNS if test == TestKind.PRICE else READING_COLUMNS
            test_rows = rows.get(test) or default_rows(self.scale)[test]
            groups.append(
                RowGroup(
                    test=test,
                    label=label,
                    columns=columns,
                    rows=test_rows,
                    can_add=can_add,
                    outputs=[judged.get((test, i)) for i in range(len(test_rows))],
                )
            )
        return groups

    # Plain data ---------------------------------------------------------------------------

    def raw(self) -> dict[str, Any]:
        """The cleaned header and the posted readings as ``verification_record`` takes them."""
        data = self.cleaned_data
        readings, _origin = rows_to_raw(self.rows())
        raw: dict[str, Any] = {
            "kind": data["kind"],
            "performed_on": data["performed_on"],
            "place": data.get("place", ""),
            "temperature_c": data.get("temperature_c"),
            "standards": _standards(data.get("standards", "")),
            "identity_matches": bool(data.get("identity_matches")),
            "software_version": data["software_version"],
            "software_checksum": data["software_checksum"],
            "seals_intact": bool(data.get("seals_intact")),
            "codes_present": bool(data.get("codes_present")),
            "seal_ids": data.get("seal_ids", ""),
            "checker": data["checker"].pk if data.get("checker") else None,
            "approver": data["approver"].pk if data.get("approver") else None,
            **readings,
        }
        for name in ("calibration_counter", "configuration_counter"):
            if data.get(name) is not None:
                raw[name] = data[name]
        return raw

    def preview_raw(self) -> dict[str, Any]:
        """Like ``raw`` but from whatever was typed so far (the header need not be valid yet)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        readings, _origin = rows_to_raw(self.rows())
        return {
            "kind": cleaned.get("kind") or self.data.get("kind", ""),
            "performed_on": cleaned.get("performed_on") or timezone.localdate(),
            "identity_matches": bool(cleaned.get("identity_matches")),
            "software_version": cleaned.get("software_version", ""),
            "software_checksum": cleaned.get("software_checksum", ""),
            "seals_intact": bool(cleaned.get("seals_intact")),
            "codes_present": bool(cleaned.get("codes_present")),
            **readings,
        }


def _person(user: Any) -> str:
    return user.get_full_name() or user.username


def _standards(text: str) -> list[dict[str, str]]:
    """ "name; certificate; valid until" per line → the service's list of standards."""
    standards = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("；", ";").split(";")]
        if not parts or not parts[0]:
            continue
        entry = {"name": parts[0]}
        if len(parts) > 1 and parts[1]:
            entry["certificate"] = parts[1]
        if len(parts) > 2 and parts[2]:
            entry["valid_until"] = parts[2]
        standards.append(entry)
    return standards


def standards_text(standards: list[Any]) -> list[str]:
    """A stored list of standards as one line each, for pages and the PDF."""
    lines = []
    for item in standards or []:
        if isinstance(item, dict):
            parts = [str(item.get(k, "")) for k in ("name", "certificate", "valid_until")]
            lines.append("；".join(p for p in parts if p))
        else:
            lines.append(str(item))
    return lines
