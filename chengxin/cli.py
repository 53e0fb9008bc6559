"""The ``chengxin`` command: manage.py with the embedded profile as default.

``chengxin demo``, ``chengxin token USERNAME``, ``chengxin mpe …`` and every Django command
are management commands; this wrapper only picks the settings profile.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings.embedded")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chengxin", *(sys.argv[1:] if argv is None else argv)])
