"""``chengxin mpe``: the error-limit engine on the command line (see ``mpe_cli``)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from chengxin.verification import mpe_cli


class Command(BaseCommand):
    help = "Maximum permissible error for a load, or the check of a scale configuration."

    def run_from_argv(self, argv: list[str]) -> None:
        # The pure CLI owns its arguments; Django's parser would only get in the way.
        sys.exit(mpe_cli.main(argv[2:]))

    def handle(self, *args: Any, **options: Any) -> None:  # pragma: no cover - run_from_argv
        sys.exit(mpe_cli.main(list(args)))
