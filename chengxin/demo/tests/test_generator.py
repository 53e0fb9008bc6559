"""The demo data set: counts, determinism, valid identifiers and consistent histories."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from chengxin.core.changes import snapshot
from chengxin.core.context import acting_as
from chengxin.core.models import ChangeRecord
from chengxin.demo import generator
from chengxin.instruments import codes
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.lifecycle import TRANSITIONS
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.markets.models import Market, Vendor
from chengxin.organizations import uscc
from chengxin.organizations.choices import OrganisationKind as K
from chengxin.organizations.models import Authorisation, Organisation
from chengxin.regions.codes import city_of, province_of
from chengxin.regions.models import Division

N = 300
SEED = 7


def _seed(seed: int = SEED) -> generator.SeedResult:
    with acting_as(None, source="cli"):
        return generator.seed(scales=N, seed=seed)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeded data set shared by this module's tests (seeding takes about a second)."""
    with django_db_blocker.unblock():
        result = _seed()
        yield result
        generator.reset_database()


def _codes() -> list[str]:
    return list(Scale.objects.order_by("id").values_list("code", flat=True))


def test_organisation_counts_match_the_national_platform(demo, db):
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds[K.MANUFACTURER] == 134
    assert kinds[K.VERIFICATION] == 2163
    assert kinds[K.PATTERN_EVALUATION] == 20
    assert kinds[K.REPAIRER] > 0
    assert kinds[K.MARKET_OPERATOR] > 0


def test_a_bureau_for_the_nation_and_every_current_mainland_division(demo, db):
    current = set(
        Division.objects.filter(valid_until__isnull=True)
        .exclude(code__regex=r"^(71|81|82)")
        .values_list("code", flat=True)
    )
    bureaus = set(
        Organisation.objects.filter(kind=K.REGULATOR).values_list("division_id", flat=True)
    )
    assert bureaus == current  # includes 000000, the nation


def test_every_verification_institution_is_authorised_over_its_city_or_province(demo, db):
    today = timezone.localdate()
    labs = Organisation.objects.filter(kind=K.VERIFICATION)
    areas = defaultdict(list)
    for a in Authorisation.objects.filter(organisation__kind=K.VERIFICATION):
        areas[a.organisation_id].append(a)
    for lab in labs:
        (auth,) = areas[lab.pk]
        (area,) = auth.division_codes
        assert area in (city_of(lab.division_id), province_of(lab.division_id))
        assert auth.valid_from <= today <= auth.valid_until


def test_markets_in_every_mainland_province(demo, db):
    provinces = {d[:2] for d in Market.objects.values_list("division_id", flat=True)}
    mainland = set(
        Division.objects.filter(level="province", valid_until__isnull=True)
        .exclude(code__in=["710000", "810000", "820000"])
        .values_list("code", flat=True)
    )
    assert {p[:2] for p in mainland} <= provinces


def test_every_state_is_represented(demo, db):
    assert Scale.objects.count() == N
    assert set(Scale.objects.values_list("state", flat=True)) == set(ScaleState.values)


def test_every_credit_code_and_scale_code_validates(demo, db):
    for code in Organisation.objects.values_list("uscc", flat=True):
        assert uscc.validate(code) == code
    for code in Vendor.objects.exclude(uscc="").values_list("uscc", flat=True):
        assert uscc.validate(code) == code
    scale_codes = _codes()
    assert len(set(scale_codes)) == len(scale_codes)
    assert all(codes.is_valid(c) for c in scale_codes)


def test_every_scale_has_a_legal_history_ending_in_its_state(demo, db):
    events = defaultdict(list)
    for e in LifecycleEvent.objects.order_by("scale_id", "at", "id"):
        events[e.scale_id].append(e)
    for scale in Scale.objects.all():
        history = events[scale.pk]
        assert history, scale
        assert history[0].transition == "manufacture"
        for before, after in itertools.pairwise(history):
            assert after.from_state == before.to_state
            assert after.from_state in TRANSITIONS[after.transition].sources
            assert after.at >= before.at
        assert history[-1].to_state == scale.state
        assert scale.state_changed_at == history[-1].at


def test_valid_until_is_consistent_with_the_state(demo, db):
    today = timezone.localdate()
    for state, until in Scale.objects.values_list("state", "valid_until"):
        if state == ScaleState.IN_SERVICE:
            assert until is not None
            assert until > today
        elif state == ScaleState.OVERDUE:
            assert until is not None
            assert until < today
        elif state in (
            ScaleState.MANUFACTURED, ScaleState.IN_STOCK, ScaleState.SOLD,
            ScaleState.REGISTERED, ScaleState.REJECTED, ScaleState.SEIZED, ScaleState.DESTROYED,
        ):  # fmt: skip
            assert until is None, state


def test_every_scale_uses_an_approved_software_id_of_its_type_approval(demo, db):
    for scale in Scale.objects.select_related("type_approval").prefetch_related(
        "type_approval__software"
    )[:100]:
        approved = {(s.version, s.checksum) for s in scale.type_approval.software.all()}
        assert (scale.software_version, scale.software_checksum) in approved
        assert scale.max_capacity_g == scale.type_approval.max_capacity_g


def test_every_demo_row_has_its_create_change_record(demo, db):
    scale_type = ContentType.objects.get_for_model(Scale)
    records = ChangeRecord.objects.filter(content_type=scale_type, action="create")
    assert records.count() == N
    assert set(records.values_list("source", flat=True)) == {"cli"}
    for scale in Scale.objects.order_by("?")[:20]:
        record = records.get(object_id=str(scale.pk))
        assert record.after == snapshot(scale)
        assert record.object_repr == str(scale)
    assert (
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(Organisation)
        ).count()
        == Organisation.objects.count()
    )


def test_demo_users_sign_in_with_the_printed_password(demo, db):
    for user in demo.users:
        assert authenticate(username=user.username, password=user.password) is not None


def test_same_seed_same_data_and_another_seed_other_data(demo, db):
    first = _codes()
    first_names = list(Organisation.objects.order_by("id").values_list("name", "uscc"))
    _seed(SEED + 1)
    assert _codes() != first
    _seed(SEED)
    assert _codes() == first
    assert list(Organisation.objects.order_by("id").values_list("name", "uscc")) == first_names


def test_dates_are_not_in_the_future(demo, db):
    today = timezone.localdate()
    assert not Scale.objects.filter(manufactured_on__gt=today).exists()
    latest = LifecycleEvent.objects.order_by("-at").values_list("at", flat=True).first()
    assert latest is not None
    assert latest.date() <= today + dt.timedelta(days=1)


def test_the_cyclic_collector_is_paused_for_a_batch_and_restored_after_it():
    assert gc.isenabled()
    with generator._collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), generator._collector_paused():
        raise RuntimeError("a batch that fails")
    assert gc.isenabled()  # a failed batch gives the collector back too
    gc.disable()
    try:
        with generator._collector_paused():
            pass
        assert not gc.isenabled()  # a caller that had paused it keeps it paused
    finally:
        gc.enable()
