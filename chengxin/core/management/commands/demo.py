"""``chengxin demo``: replace the database's contents with the national demo data set."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from chengxin.core.context import acting_as
from chengxin.demo.generator import seed
from chengxin.ledger.services import log_integrate_all, tree_size
from chengxin.organizations.models import Organisation


class Command(BaseCommand):
    help = (
        "Seed realistic national demo data (bureaus, makers, institutions, markets, scales) "
        "deterministically for a seed. Replaces everything but the division table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scales", type=int, default=20_000, help="number of scales (20000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if organisations already exist"
        )

    def handle(
        self, *args: Any, scales: int, seed: int, no_progress: bool, if_empty: bool, **kw: Any
    ) -> None:
        # A fresh database (a new CHENGXIN_SQLITE_PATH, a first `chengxin demo`) is set up first.
        call_command("migrate", interactive=False, verbosity=0)
        if if_empty and Organisation.objects.exists():
            self.stdout.write("The database already has data; demo seeding skipped (--if-empty).")
            self._print_logins()
            return
        if scales < 0:
            self.stderr.write("--scales must be zero or more")
            raise SystemExit(2)
        with acting_as(None, source="cli"):
            result = seed_data(scales=scales, seed=seed, progress=not no_progress)
        # Every demo record is a pending leaf now; leave the log whole, with a signed checkpoint.
        self.stdout.write("Integrating the demo records into the transparency log …")
        leaves = log_integrate_all()
        self.stdout.write(f"  {leaves:,} leaves; checkpoint signed for tree size {tree_size():,}")
        self.stdout.write(
            f"Seeded {result.rows:,} rows in {result.seconds:.1f} s "
            f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s):"
        )
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:40} {count:>10,}")
        self.stdout.write("\nDemo users:")
        for user in result.users:
            self.stdout.write(
                f"  {user.username:20} {user.password:16} {user.role:32} {user.organisation}"
            )

    def _print_logins(self) -> None:
        from chengxin.demo.generator import DEMO_PASSWORD
        from chengxin.organizations.models import User

        users = User.objects.filter(username__in=DEMO_USERNAMES).select_related("organisation")
        if users:
            self.stdout.write(f"\nDemo users (password {DEMO_PASSWORD}):")
        for user in sorted(users, key=lambda u: DEMO_USERNAMES.index(u.username)):
            org = user.organisation.name if user.organisation else "—"
            self.stdout.write(f"  {user.username:20} {org}")


seed_data = seed


DEMO_USERNAMES = [
    "admin",
    "nation_inspector",
    "zhejiang_inspector",
    "xihu_inspector",
    "maker",
    "verifier",
    "operator",
    "repairer",
]
