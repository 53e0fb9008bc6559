"""Change records: one per create, update, delete and transition, whoever made it, unalterable."""

from __future__ import annotations

import pytest

from chengxin.core.context import acting_as
from chengxin.core.models import ChangeRecord
from chengxin.instruments import services
from chengxin.markets.models import Stall
from chengxin.organizations.choices import OrganisationKind
from chengxin.testing import factories as f


def _records_for(obj):
    from django.contrib.contenttypes.models import ContentType

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("id")


def test_create_update_delete_each_leave_one_record_with_actor_and_request(world):
    with acting_as(world.u_operator, source="web", request_id="req-12345678"):
        stall = Stall.objects.create(market=world.market, number="Z9")
        stall.number = "Z10"
        stall.save()
        stall.save()  # nothing changed: no record
        pk = stall.pk
        stall.delete()
    records = list(ChangeRecord.objects.filter(object_id=str(pk), content_type__model="stall"))
    assert [r.action for r in reversed(records)] == ["create", "update", "delete"]
    create, update, delete = reversed(records)
    assert create.before is None and create.after["number"] == "Z9"
    assert update.before["number"] == "Z9" and update.after["number"] == "Z10"
    assert update.changed_fields == ["number"]
    assert delete.before["number"] == "Z10" and delete.after is None
    assert {r.user for r in records} == {world.u_operator}
    assert {r.request_id for r in records} == {"req-12345678"}
    assert {r.source for r in records} == {"web"}


def test_a_change_outside_any_request_is_recorded_as_the_system(db):
    org = f.organisation(OrganisationKind.MANUFACTURER)
    record = _records_for(org).get()
    assert record.user is None and record.user_name == "" and record.source == "system"


def test_transitions_are_recorded_as_transitions(world):
    scale = f.scale(world.approval)
    services.scale_transition(user=world.u_maker, scale=scale, transition="release")
    record = _records_for(scale).last()
    assert record.action == "transition"
    assert (record.before["state"], record.after["state"]) == ("manufactured", "in_stock")
    assert record.user == world.u_maker


def test_bulk_registration_records_every_created_scale(world):
    rows = [
        {
            "serial": f"B{i}",
            "type_approval": world.approval.certificate_no,
            "production_code": f"P{i}",
            "software_version": "1.0.0",
            "software_checksum": "A1B2",
            "manufactured_on": "2026-03-01",
        }
        for i in range(25)
    ]
    with acting_as(world.u_maker, source="api", request_id="bulk-req-1"):
        scales = services.scale_register_bulk(user=world.u_maker, rows=rows)
    records = ChangeRecord.objects.filter(
        request_id="bulk-req-1", action="create", content_type__model="scale"
    )
    assert records.count() == 25
    assert set(records.values_list("object_id", flat=True)) == {str(s.pk) for s in scales}


def test_change_records_cannot_be_altered_or_deleted(world):
    record = ChangeRecord.objects.first()
    record.object_repr = "forged"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        ChangeRecord.objects.all().update(object_repr="forged")
    with pytest.raises(PermissionError):
        ChangeRecord.objects.all().delete()


def test_an_in_place_edit_of_a_json_field_is_recorded(world):
    scale = f.scale(world.approval)
    loaded = type(scale).objects.get(pk=scale.pk)
    loaded.seal_ids.append("QF-1")
    loaded.save()
    record = _records_for(scale).last()
    assert record.before["seal_ids"] == []
    assert record.after["seal_ids"] == ["QF-1"]


def test_a_refreshed_object_records_changes_against_the_database(world):
    stall = Stall.objects.get(pk=world.stall.pk)
    Stall.objects.filter(pk=stall.pk).update(number="MOVED")  # someone else's write
    stall.refresh_from_db()
    stall.number = "FINAL"
    stall.save()
    record = _records_for(stall).last()
    assert record.before["number"] == "MOVED"


def test_decimals_are_recorded_as_the_database_returns_them(world):
    from decimal import Decimal

    from chengxin.instruments.models import TypeApproval

    approval = TypeApproval.objects.get(pk=world.approval.pk)
    created = _records_for(approval).filter(action="create").get()
    assert created.after["e_g"] == "5.0000"
    approval.e_g = Decimal("5")  # same value, other spelling: not a change
    approval.save()
    assert _records_for(approval).count() == 1
