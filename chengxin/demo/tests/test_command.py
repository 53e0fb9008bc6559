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
