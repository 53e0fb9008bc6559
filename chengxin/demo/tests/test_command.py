"""``chengxin demo`` replaces the data and prints the demo accounts."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from chengxin.instruments.models import Scale
from chengxin.organizations.models import User


def test_demo_command_seeds_and_prints_the_accounts(db):
    out = StringIO()
    call_command("demo", scales=15, seed=3, no_progress=True, skip_checks=True, stdout=out)
    call_command("demo", scales=20, seed=3, no_progress=True, skip_checks=True, stdout=out)
    assert Scale.objects.count() == 20  # re-running replaces, it does not add
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    text = out.getvalue()
    for name in ("admin", "nation_inspector", "zhejiang_inspector", "xihu_inspector", "maker",
                 "verifier", "operator", "repairer", "chengxin-demo"):  # fmt: skip
        assert name in text


def test_demo_leaves_a_whole_log_with_a_signed_checkpoint(db):
    from chengxin.ledger.models import Checkpoint, LogEntry

    call_command("demo", scales=10, seed=5, no_progress=True, skip_checks=True, stdout=StringIO())
    assert not LogEntry.objects.filter(index__isnull=True).exists()
    assert Checkpoint.objects.latest().size == LogEntry.objects.count() > 0


def test_if_empty_keeps_existing_data_and_still_prints_the_logins(db):
    call_command("demo", scales=5, seed=5, no_progress=True, skip_checks=True, stdout=StringIO())
    codes = set(Scale.objects.values_list("code", flat=True))
    out = StringIO()
    call_command("demo", if_empty=True, no_progress=True, skip_checks=True, stdout=out)
    assert set(Scale.objects.values_list("code", flat=True)) == codes
    assert "xihu_inspector" in out.getvalue() and "chengxin-demo" in out.getvalue()
