"""The state machine: every legal transition works, every illegal one is refused and changes
nothing, and each is open only to the organisation kinds and roles that perform it."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from chengxin.core.errors import ServiceError
from chengxin.core.models import ChangeRecord
from chengxin.instruments import services
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.lifecycle import SYSTEM, TRANSITIONS, refusal
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.organizations.choices import OrganisationKind, Role
from chengxin.testing import factories as f

UNTIL = dt.date.today() + dt.timedelta(days=365)
PAIRS = list(itertools.product(ScaleState.values, TRANSITIONS))


def _values(world, name):
    return {
        "sell": {"operator": world.operator.pk},
        "register": {"market": world.market.pk, "stall": world.stall.pk},
        "relocate": {"market": world.market.pk, "stall": world.stall.pk},
        "pass_verification": {"valid_until": UNTIL, "verification_code": "JD-1"},
        "repair": {"repair_code": "WX-9"},
    }.get(name, {})


@pytest.fixture
def admin(world):
    return f.user(None, username="root", is_superuser=True)


@pytest.mark.parametrize(("state", "name"), PAIRS)
def test_every_state_and_transition_pair(world, admin, state, name):
    scale = f.scale(world.approval, state=state, m=world.market, stall=world.stall)
    spec = TRANSITIONS[name]
    events_before = LifecycleEvent.objects.count()
    records_before = ChangeRecord.objects.count()
    call = {
        "user": admin,
        "scale": scale,
        "transition": name,
        "values": _values(world, name),
        "document": "DOC-1",
        # Verification-only transitions carry the verification that produced them.
        "verification": SimpleNamespace(document_no="DOC-1") if spec.via_verification else None,
    }
    if state in spec.sources:
        event = services.scale_transition(**call)
        scale.refresh_from_db()
        assert scale.state == spec.target
        assert (event.from_state, event.to_state) == (state, spec.target)
        assert ChangeRecord.objects.filter(object_id=str(scale.pk), action="transition").exists()
    else:
        with pytest.raises(ServiceError) as exc:
            services.scale_transition(**call)
        assert exc.value.code == "illegal_transition"
        scale.refresh_from_db()
        assert scale.state == state
        assert LifecycleEvent.objects.count() == events_before
        assert ChangeRecord.objects.count() == records_before


KINDS = [*OrganisationKind.values, SYSTEM]


@pytest.mark.parametrize(("name", "kind"), list(itertools.product(TRANSITIONS, KINDS)))
def test_each_transition_is_open_only_to_the_actors_who_perform_it(name, kind):
    spec = TRANSITIONS[name]
    state = next(iter(spec.sources))
    roles = frozenset(Role.values) - {Role.ADMIN}
    verdict = refusal(spec, state=state, actor_kind=kind, roles=roles)
    assert (verdict is None) is (kind in spec.actors)


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t.role])
def test_transitions_needing_a_role_refuse_other_roles(name):
    spec = TRANSITIONS[name]
    kind = next(k for k in spec.actors if k != SYSTEM)
    state = next(iter(spec.sources))
    verdict = refusal(spec, state=state, actor_kind=kind, roles=frozenset({Role.STAFF}))
    assert verdict is not None
    assert verdict.code == "role_required"


def test_staff_without_inspector_role_cannot_seize_a_scale(world):
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    clerk = f.user(world.xihu, Role.STAFF)
    with pytest.raises(PermissionDenied):
        services.scale_transition(user=clerk, scale=scale, transition="seize", document="CF-1")


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t.via_verification])
def test_verification_results_cannot_be_set_by_hand(world, name):
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    with pytest.raises(ServiceError) as exc:
        services.scale_transition(
            user=world.u_verifier,
            scale=scale,
            transition=name,
            document="Z",
            values=_values(world, name),
        )
    assert exc.value.code == "verification_required"
    assert Scale.objects.get(pk=scale.pk).state == ScaleState.IN_SERVICE


def test_missing_document_is_refused_before_anything_is_written(world):
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    with pytest.raises(ServiceError) as exc:
        services.scale_transition(user=world.u_xihu, scale=scale, transition="seize")
    assert exc.value.code == "document_required"
    assert Scale.objects.get(pk=scale.pk).state == ScaleState.IN_SERVICE


def test_past_valid_until_is_refused(world):
    scale = f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market)
    with pytest.raises(ServiceError):
        services.scale_transition(
            user=world.u_verifier,
            scale=scale,
            transition="pass_verification",
            document="Z",
            values={"valid_until": dt.date(2020, 1, 1), "verification_code": "V"},
            verification=SimpleNamespace(document_no="Z"),
        )
    assert Scale.objects.get(pk=scale.pk).valid_until is None


def test_registering_in_someone_elses_market_is_refused(world):
    scale = f.scale(world.approval, state=ScaleState.SOLD, operator=world.operator)
    with pytest.raises(ServiceError):
        services.scale_transition(
            user=world.u_operator,
            scale=scale,
            transition="register",
            values={"market": world.other_market.pk, "stall": world.other_stall.pk},
        )
    assert Scale.objects.get(pk=scale.pk).state == ScaleState.SOLD


def test_registration_moves_the_scale_into_the_markets_division(world):
    ningbo_market = f.market(world.operator, division="330203")
    stall = f.stall(ningbo_market)
    scale = f.scale(world.approval, state=ScaleState.SOLD, operator=world.operator)
    services.scale_transition(
        user=world.u_operator,
        scale=scale,
        transition="register",
        values={"market": ningbo_market.pk, "stall": stall.pk},
    )
    scale.refresh_from_db()
    assert scale.division_id == "330203"
    assert Scale.objects.visible_to(world.u_ningbo).filter(pk=scale.pk).exists()


def test_daily_expiry_moves_lapsed_scales_to_overdue(world):
    lapsed = f.scale(
        world.approval, state=ScaleState.IN_SERVICE, m=world.market, valid_until=dt.date(2026, 1, 1)
    )
    current = f.scale(
        world.approval, state=ScaleState.IN_SERVICE, m=world.market, valid_until=UNTIL
    )
    assert services.scales_expire_overdue(today=dt.date(2026, 6, 1)) == 1
    assert Scale.objects.get(pk=lapsed.pk).state == ScaleState.OVERDUE
    assert Scale.objects.get(pk=current.pk).state == ScaleState.IN_SERVICE
    event = LifecycleEvent.objects.get(scale=lapsed, transition="expire")
    assert event.user is None


def test_unknown_fields_are_refused(world):
    scale = f.scale(world.approval)
    with pytest.raises(ServiceError) as exc:
        services.scale_transition(
            user=world.u_maker, scale=scale, transition="release", values={"state": "in_service"}
        )
    assert exc.value.code == "unknown_field"
