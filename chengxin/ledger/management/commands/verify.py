"""``chengxin verify FILE --policy POLICY``: check a record bundle offline.

Prints the record (model, object, action, time), the checkpoint (origin, size) and VALID, or
INVALID and why. Exit 0 valid, 1 invalid, 2 malformed input (one line on stderr). Needs no
database: the logic is ``chengxin.ledger.verify``, which a verifier can run without Django.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chengxin.ledger.verify import BundleError, PolicyError, parse_policy, verify_record_bundle

_MAX_FILE = 4 << 20


class Command(BaseCommand):
    help = "Verify a record bundle (from /api/v1/log/leaves/<i>/record-bundle) against a policy."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the record bundle (JSON)")
        parser.add_argument(
            "--policy",
            required=True,
            help="policy file: log <vkey>, witness <name> <vkey>, quorum <k>",
        )

    def handle(self, *args: Any, file: str, policy: str, **options: Any) -> None:
        try:
            trusted = parse_policy(_read(policy, "policy"))
            result = verify_record_bundle(_read(file, "record bundle"), trusted)
        except (BundleError, PolicyError, OSError) as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        for line in result.lines():
            self.stdout.write(line)
        if not result.valid:
            sys.exit(1)


def _read(path: str, what: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(_MAX_FILE + 1)
    except OSError as exc:
        raise OSError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from exc
    if len(data) > _MAX_FILE:
        raise OSError(f"{what} {path!r} is larger than {_MAX_FILE} bytes")
    return data
