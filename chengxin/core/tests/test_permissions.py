"""The jurisdiction matrix: every role × read / create / transition × inside / outside.

Each row names a user of the ``world`` fixture and what they must be able to do with records
inside Hangzhou Xihu (330106). Outside their jurisdiction a record must be invisible (404),
never "forbidden" (no existence leak).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from chengxin.core.errors import ServiceError
from chengxin.core.permissions import can_write, get_visible_or_404, visible
from chengxin.instruments import services
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale, TypeApproval
from chengxin.markets.models import Market, Stall, Vendor
from chengxin.organizations.choices import OrganisationKind
from chengxin.organizations.models import Organisation
from chengxin.testing import factories as f

# user attribute → does the user see a scale in service at the Xihu market?
SEES_XIHU_SCALE = {
    "u_nation": True,
    "u_zhejiang": True,
    "u_xihu": True,
    "u_ningbo": False,
    "u_maker": True,
    "u_other_maker": False,
    "u_verifier": True,
    "u_other_verifier": False,
    "u_repairer": True,
    "u_operator": True,
    "u_other_operator": False,
    "u_evaluator": False,
}

SEES_XIHU_MARKET = {**SEES_XIHU_SCALE, "u_maker": False}
SEES_XIHU_VENDOR = {
    **dict.fromkeys(SEES_XIHU_SCALE, False),
    "u_nation": True,
    "u_zhejiang": True,
    "u_xihu": True,
    "u_operator": True,
}

# user → (transition they perform on an in-service Xihu scale, extra values, document)
_UNTIL = dt.date.today() + dt.timedelta(days=365)
TRANSITION_BY_USER = {
    "u_nation": ("seize", {}, "CF-1"),
    "u_zhejiang": ("seize", {}, "CF-1"),
    "u_xihu": ("seize", {}, "CF-1"),
    "u_ningbo": ("seize", {}, "CF-1"),
    "u_operator": ("retire", {}, ""),
    "u_other_operator": ("retire", {}, ""),
    "u_evaluator": ("retire", {}, ""),
    "u_other_maker": ("retire", {}, ""),
}


@pytest.fixture
def xihu_scale(world):
    return f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        stall=world.stall,
        valid_until=_UNTIL,
    )


@pytest.mark.parametrize(("who", "sees"), sorted(SEES_XIHU_SCALE.items()))
def test_read_scale_inside_and_outside_jurisdiction(world, xihu_scale, who, sees):
    user = getattr(world, who)
    assert visible(Scale, user).filter(pk=xihu_scale.pk).exists() is sees
    if sees:
        assert get_visible_or_404(Scale, user, code=xihu_scale.code) == xihu_scale
    else:
        with pytest.raises(Http404):
            get_visible_or_404(Scale, user, code=xihu_scale.code)


@pytest.mark.parametrize(("who", "sees"), sorted(SEES_XIHU_MARKET.items()))
def test_read_market_and_stall(world, who, sees):
    user = getattr(world, who)
    assert visible(Market, user).filter(pk=world.market.pk).exists() is sees
    assert visible(Stall, user).filter(pk=world.stall.pk).exists() is sees


@pytest.mark.parametrize(("who", "sees"), sorted(SEES_XIHU_VENDOR.items()))
def test_vendor_personal_data_only_for_operator_and_regulators(world, who, sees):
    assert visible(Vendor, getattr(world, who)).filter(pk=world.vendor.pk).exists() is sees


@pytest.mark.parametrize("who", sorted(SEES_XIHU_SCALE))
def test_type_approvals_and_organisations_are_a_public_directory(world, who):
    user = getattr(world, who)
    assert visible(TypeApproval, user).filter(pk=world.approval.pk).exists()
    assert visible(Organisation, user).filter(pk=world.maker.pk).exists()


def test_anonymous_sees_nothing_non_public(world, xihu_scale):
    from django.contrib.auth.models import AnonymousUser

    for model in (Scale, Market, Stall, Vendor, TypeApproval, Organisation):
        assert not visible(model, AnonymousUser()).exists()


def test_expired_authorisation_gives_no_sight(world, xihu_scale):
    lab = f.organisation(OrganisationKind.VERIFICATION, "330100")
    f.authorisation(
        lab,
        world.zhejiang,
        "330100",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    verifier = f.user(lab, "verifier")
    assert not visible(Scale, verifier).filter(pk=xihu_scale.pk).exists()


@pytest.mark.parametrize("who", sorted(TRANSITION_BY_USER))
def test_transition_inside_allowed_outside_not_found(world, xihu_scale, who):
    user = getattr(world, who)
    transition, values, document = TRANSITION_BY_USER[who]
    if SEES_XIHU_SCALE[who]:
        services.scale_transition(
            user=user, scale=xihu_scale, transition=transition, values=values, document=document
        )
        assert xihu_scale.events.filter(transition=transition, user=user).exists()
    else:
        with pytest.raises(Http404):
            services.scale_transition(
                user=user, scale=xihu_scale, transition=transition, values=values, document=document
            )
        xihu_scale.refresh_from_db()
        assert xihu_scale.state == ScaleState.IN_SERVICE


@pytest.mark.parametrize("who", ["u_verifier", "u_other_verifier"])
def test_verification_inside_allowed_outside_not_found(world, xihu_scale, who):
    from chengxin.verification.services import verification_record

    raw = f.verification_readings(kind="subsequent")
    if SEES_XIHU_SCALE[who]:
        verification_record(user=getattr(world, who), scale=xihu_scale, raw=raw)
        assert xihu_scale.verifications.count() == 1
    else:
        with pytest.raises(Http404):
            verification_record(user=getattr(world, who), scale=xihu_scale, raw=raw)
        assert not xihu_scale.verifications.exists()


def test_manufacturer_releases_own_units_only(world):
    own = f.scale(world.approval)
    foreign = f.scale(world.other_approval)
    services.scale_transition(user=world.u_maker, scale=own, transition="release")
    with pytest.raises(Http404):
        services.scale_transition(user=world.u_maker, scale=foreign, transition="release")


def test_repairer_repairs_locked_scale_in_authorised_divisions(world):
    locked = f.scale(world.approval, state=ScaleState.LOCKED, m=world.market)
    faraway = f.scale(world.other_approval, state=ScaleState.LOCKED, division="320102")
    services.scale_transition(
        user=world.u_repairer,
        scale=locked,
        transition="repair",
        document="WX-1",
        values={"repair_code": "R-1"},
    )
    with pytest.raises(Http404):
        services.scale_transition(
            user=world.u_repairer,
            scale=faraway,
            transition="repair",
            document="WX-1",
            values={"repair_code": "R-1"},
        )


def test_seen_but_not_theirs_to_perform_is_forbidden(world, xihu_scale):
    with pytest.raises(PermissionDenied):
        services.scale_transition(
            user=world.u_maker, scale=xihu_scale, transition="seize", document="CF-1"
        )


def test_create_scale_only_on_own_type_approval(world):
    row = {
        "serial": "NEW-1",
        "type_approval": world.approval.certificate_no,
        "production_code": "P",
        "software_version": "1.0.0",
        "software_checksum": "A1B2",
        "manufactured_on": "2026-03-01",
    }
    assert services.scale_register(user=world.u_maker, **row).manufacturer == world.maker
    with pytest.raises(ServiceError):
        services.scale_register(user=world.u_other_maker, **row)
    with pytest.raises(PermissionDenied):
        services.scale_register(user=world.u_operator, **row)


@pytest.mark.parametrize(
    ("who", "division", "allowed"),
    [
        ("u_nation", "320102", True),
        ("u_zhejiang", "330203", True),
        ("u_zhejiang", "320102", False),
        ("u_xihu", "330106", True),
        ("u_xihu", "330102", False),
        ("u_maker", "330106", False),
        ("u_operator", "330106", False),
    ],
)
def test_create_organisation_inside_own_division_only(world, who, division, allowed):
    new = Organisation(kind=OrganisationKind.MANUFACTURER, division_id=division)
    assert can_write(getattr(world, who), new) is allowed


@pytest.mark.parametrize(
    ("who", "own_market", "allowed"),
    [
        ("u_operator", True, True),
        ("u_operator", False, False),
        ("u_xihu", True, True),
        ("u_xihu", False, False),
        ("u_verifier", True, False),
    ],
)
def test_create_stall_in_markets_one_runs_or_supervises(world, who, own_market, allowed):
    market = world.market if own_market else world.other_market
    assert can_write(getattr(world, who), Stall(market=market, number="B1")) is allowed
