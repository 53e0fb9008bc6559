import pytest

from chengxin.instruments import services
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale
from chengxin.testing import factories as f
from chengxin.verification.services import verification_record


def test_a_scale_lives_from_manufacture_to_scrapping(world):
    s = services.scale_register(
        user=world.u_maker,
        serial="X1",
        type_approval=world.approval.certificate_no,
        production_code="P-1",
        software_version="1.0.0",
        software_checksum="A1B2",
        manufactured_on="2026-03-01",
    )
    services.scale_transition(user=world.u_maker, scale=s, transition="release")
    services.scale_transition(
        user=world.u_maker, scale=s, transition="sell", values={"operator": world.operator.pk}
    )
    services.scale_transition(
        user=world.u_operator,
        scale=s,
        transition="register",
        values={"market": world.market.pk, "stall": world.stall.pk},
    )
    verification_record(user=world.u_verifier, scale=s, raw=f.verification_readings())
    s.refresh_from_db()
    assert s.state == ScaleState.IN_SERVICE
    assert [e.transition for e in s.events.all()] == [
        "manufacture",
        "release",
        "sell",
        "register",
        "pass_verification",
    ]
    services.scale_transition(user=world.u_operator, scale=s, transition="retire")
    services.scale_transition(user=world.u_operator, scale=s, transition="scrap")
    assert Scale.objects.get(pk=s.pk).state == ScaleState.SCRAPPED


@pytest.mark.django_db
def test_nothing(world):
    assert world.market.division_id == "330106"
