"""Factories for tests: plain functions that build valid records with sensible defaults.

Used by tests only; demo data has its own, bulk-oriented generator.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from chengxin.instruments import codes
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import LifecycleEvent, Scale, SoftwareIdentification, TypeApproval
from chengxin.markets.models import Market, Stall, Vendor
from chengxin.organizations import uscc
from chengxin.organizations.choices import AuthorisationKind, InstrumentKind, OrganisationKind
from chengxin.organizations.models import Authorisation, Organisation, User

_seq = itertools.count(1)

HANGZHOU_XIHU = "330106"
HANGZHOU_SHANGCHENG = "330102"
NINGBO_HAISHU = "330203"
NANJING_XUANWU = "320102"


def organisation(kind: str, division: str = HANGZHOU_XIHU, **kw: Any) -> Organisation:
    n = next(_seq)
    defaults = {
        "name": f"{OrganisationKind(kind).label}{n}",
        "uscc": uscc.make("9", "1", division, f"{n:08d}X"),
    }
    return Organisation.objects.create(kind=kind, division_id=division, **{**defaults, **kw})


def user(org: Organisation | None, *roles: str, **kw: Any) -> User:
    n = next(_seq)
    return User.objects.create_user(
        username=kw.pop("username", f"user{n}"),
        password=kw.pop("password", "pw-for-tests"),
        organisation=org,
        roles=list(roles) or ["staff"],
        **kw,
    )


def authorisation(
    org: Organisation, issued_by: Organisation, *divisions: str, **kw: Any
) -> Authorisation:
    today = dt.date.today()
    kind = (
        AuthorisationKind.REPAIR
        if org.kind == OrganisationKind.REPAIRER
        else AuthorisationKind.VERIFICATION
    )
    return Authorisation.objects.create(
        organisation=org,
        kind=kw.pop("kind", kind),
        certificate_no=f"AUTH-{next(_seq)}",
        issued_by=issued_by,
        instrument_kinds=kw.pop("instrument_kinds", [InstrumentKind.PRICE_COMPUTING_SCALE]),
        division_codes=list(divisions) or [org.division_id],
        valid_from=kw.pop("valid_from", today - dt.timedelta(days=365)),
        valid_until=kw.pop("valid_until", today + dt.timedelta(days=365)),
        **kw,
    )


def type_approval(manufacturer: Organisation, issued_by: Organisation, **kw: Any) -> TypeApproval:
    n = next(_seq)
    approval = TypeApproval.objects.create(
        certificate_no=kw.pop("certificate_no", f"2026F{n:03d}-33"),
        manufacturer=manufacturer,
        model_name=kw.pop("model_name", f"ACS-{n}"),
        accuracy_class=kw.pop("accuracy_class", "III"),
        max_capacity_g=kw.pop("max_capacity_g", Decimal("15000")),
        min_capacity_g=kw.pop("min_capacity_g", Decimal("100")),
        e_g=kw.pop("e_g", Decimal("5")),
        issued_by=issued_by,
        issued_on=kw.pop("issued_on", dt.date(2026, 1, 10)),
        **kw,
    )
    SoftwareIdentification.objects.create(type_approval=approval, version="1.0.0", checksum="A1B2")
    return approval


def market(operator: Organisation, division: str | None = None, **kw: Any) -> Market:
    return Market.objects.create(
        name=kw.pop("name", f"农贸市场{next(_seq)}"),
        operator=operator,
        division_id=division or operator.division_id,
        **kw,
    )


def stall(m: Market, **kw: Any) -> Stall:
    return Stall.objects.create(market=m, number=kw.pop("number", f"A{next(_seq):03d}"), **kw)


def vendor(m: Market, **kw: Any) -> Vendor:
    return Vendor.objects.create(
        market=m, name=kw.pop("name", "张三"), phone="13800000000", id_number="330106199001011234"
    )


def scale(
    approval: TypeApproval,
    *,
    state: str = ScaleState.MANUFACTURED,
    division: str | None = None,
    m: Market | None = None,
    **kw: Any,
) -> Scale:
    """A scale placed directly in ``state`` (for permission and listing tests)."""
    n = next(_seq)
    s = Scale.objects.create(
        code=codes.make(f"{n:09d}"),
        serial=f"SN{n:06d}",
        manufacturer=approval.manufacturer,
        type_approval=approval,
        accuracy_class=approval.accuracy_class,
        max_capacity_g=approval.max_capacity_g,
        min_capacity_g=approval.min_capacity_g,
        e_g=approval.e_g,
        d_g=approval.e_g,
        software_version="1.0.0",
        software_checksum="A1B2",
        production_code=f"P{n}",
        manufactured_on=dt.date(2026, 2, 1),
        division_id=division or (m.division_id if m else approval.manufacturer.division_id),
        operator=m.operator if m else kw.pop("operator", None),
        market=m,
        stall=kw.pop("stall", None),
        state=state,
        **kw,
    )
    LifecycleEvent.objects.create(scale=s, transition="manufacture", to_state=state)
    return s


def verification_readings(
    *, error_g: str = "0", kind: str = "initial", **extra: Any
) -> dict[str, Any]:
    """A class III, e = 5 g, Max 15 kg scale read at 0, 20 e, 500 e, 2000 e and Max."""
    loads = ["100", "2500", "10000", "15000"]

    def point(load: str) -> dict[str, str]:
        # Changeover method: P = I + e/2 − ΔL; the indication shows L + E, ΔL = e/2, so P − L = E.
        indication = Decimal(load) + Decimal(error_g)
        return {"load": load, "indication": str(indication), "added": "2.5"}

    return {
        "kind": kind,
        "performed_on": dt.date.today().isoformat(),
        "identity_matches": True,
        "software_version": "1.0.0",
        "software_checksum": "A1B2",
        "seals_intact": True,
        "codes_present": True,
        "zero": {"load": "0", "indication": "0", "added": "2.5"},
        "increasing": [point(load) for load in loads],
        "decreasing": [point(load) for load in reversed(loads)],
        "eccentricity": [point("5000") for _ in range(5)],
        "repeatability": [point("7500") for _ in range(3)],
        "price": [{"net_weight": "1234", "unit_price": "12.50", "displayed_amount": "15.43"}],
        "seal_ids": ["QF-0001"],
        **extra,
    }
