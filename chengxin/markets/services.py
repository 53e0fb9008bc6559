"""Every write to markets, stalls and vendors.

A market operator keeps the register of its own markets (their stalls and vendors); a regulator
may do so for markets inside its division prefix. The console, the API and commands call these
functions, never ``save()`` directly, so the check cannot be skipped.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from chengxin.core.errors import ServiceError
from chengxin.core.permissions import can_write, require_write
from chengxin.organizations.choices import OrganisationKind
from chengxin.organizations.models import Organisation
from chengxin.organizations.services import apply_changes, full_clean_or_error

from .models import Market, Stall, Vendor

MARKET_FIELDS = frozenset({"name", "operator", "division", "address"})
STALL_FIELDS = frozenset({"number", "vendor", "is_fair_scale_point"})
VENDOR_FIELDS = frozenset({"name", "phone", "id_number", "uscc"})


def _check_operator(operator: Organisation) -> None:
    if operator.kind != OrganisationKind.MARKET_OPERATOR:
        raise ServiceError(
            _("市场开办者必须是市场开办者类型的机构"),
            code="not_market_operator",
            details={"operator": _("不是市场开办者")},
        )


def _require_market_writable(user: Any, market: Market) -> None:
    if not can_write(user, market):
        raise PermissionDenied(_("只能管理本单位开办或本辖区内的市场"))


# --- markets ----------------------------------------------------------------------------------


def market_create(
    *, user: Any, name: str, operator: Organisation, division: Any, address: str = ""
) -> Market:
    """Register a market: by its operator, or by a regulator of the market's division."""
    market = Market(name=name, operator=operator, division=division, address=address)
    _check_operator(operator)
    _require_market_writable(user, market)
    full_clean_or_error(market)
    with transaction.atomic():
        market.save()
    return market


def market_update(*, user: Any, market: Market, **changes: Any) -> Market:
    require_write(user, market)
    apply_changes(market, changes, MARKET_FIELDS)
    _check_operator(market.operator)
    _require_market_writable(user, market)  # the change must not take it out of the user's reach
    full_clean_or_error(market)
    with transaction.atomic():
        market.save()
    return market


# --- stalls -----------------------------------------------------------------------------------


def _check_vendor(stall: Stall) -> None:
    if stall.vendor is not None and stall.vendor.market_id != stall.market_id:
        raise ServiceError(
            _("经营者不属于该市场"),
            code="vendor_not_in_market",
            details={"vendor": _("经营者不属于该市场")},
        )


def stall_create(
    *,
    user: Any,
    market: Market,
    number: str,
    vendor: Vendor | None = None,
    is_fair_scale_point: bool = False,
) -> Stall:
    """Add a stall to a market the user keeps."""
    _require_market_writable(user, market)
    stall = Stall(
        market=market, number=number, vendor=vendor, is_fair_scale_point=is_fair_scale_point
    )
    _check_vendor(stall)
    full_clean_or_error(stall)
    with transaction.atomic():
        stall.save()
    return stall


def stall_update(*, user: Any, stall: Stall, **changes: Any) -> Stall:
    require_write(user, stall)
    apply_changes(stall, changes, STALL_FIELDS)
    _check_vendor(stall)
    full_clean_or_error(stall)
    with transaction.atomic():
        stall.save()
    return stall


# --- vendors ----------------------------------------------------------------------------------


def vendor_create(
    *, user: Any, market: Market, name: str, phone: str = "", id_number: str = "", uscc: str = ""
) -> Vendor:
    """Record a stall holder in a market the user keeps (personal data: see the model)."""
    _require_market_writable(user, market)
    vendor = Vendor(market=market, name=name, phone=phone, id_number=id_number, uscc=uscc)
    full_clean_or_error(vendor)
    with transaction.atomic():
        vendor.save()
    return vendor


def vendor_update(*, user: Any, vendor: Vendor, **changes: Any) -> Vendor:
    require_write(user, vendor)
    apply_changes(vendor, changes, VENDOR_FIELDS)
    full_clean_or_error(vendor)
    with transaction.atomic():
        vendor.save()
    return vendor
