"""``chengxin log …``: run and check the transparency log.

``integrate`` (one sequencer run), ``sequence [--interval S]`` (the sequencer, forever),
``keygen`` (a new signing key for the configured origin), ``reindex`` (rebuild the content
index from the leaves, and what is derived from it), ``audit`` (recompute everything and name
what disagrees; exit 1 if any).
Each subcommand validates its input and calls one function of the ledger.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chengxin.core.context import acting_as
from chengxin.ledger import audit, cosign, keys, note, sequencer, services


class Command(BaseCommand):
    help = "Run and check the transparency log: integrate, sequence, keygen, reindex, audit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        integrate = sub.add_parser("integrate", help="integrate pending leaves, sign a checkpoint")
        integrate.add_argument(
            "--batch",
            type=int,
            default=50_000,
            help="leaves per transaction and checkpoint (default %(default)s)",
        )
        sequence = sub.add_parser("sequence", help="integrate forever (the production sequencer)")
        sequence.add_argument(
            "--interval",
            type=float,
            default=sequencer.DEFAULT_INTERVAL,
            help="seconds between rounds (default %(default)s)",
        )
        sub.add_parser("keygen", help="print a new signing key for the configured log origin")
        sub.add_parser(
            "reindex",
            help="rebuild the content index (scale code → leaves) and what is derived from it",
        )
        sub.add_parser("audit", help="recompute the log from the database; exit 1 on any finding")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with acting_as(None, source="cli"):
            getattr(self, f"_{action}")(**options)

    def _integrate(self, *, batch: int, **options: Any) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        count = services.log_integrate_all(batch=batch)
        self.stdout.write(f"integrated {count} leaves; tree size {services.tree_size()}")
        cosigned = cosign.cosign_latest()
        if cosign.configured_witnesses():
            self.stdout.write(f"cosigned by {cosigned} witness(es)")

    def _sequence(self, *, interval: float, **options: Any) -> None:
        if not interval > 0:
            raise CommandError("--interval must be a positive number of seconds")
        self.stdout.write(f"sequencing every {interval:g} s (Ctrl-C to stop)")
        try:
            sequencer.run_forever(interval=interval)
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def _keygen(self, **options: Any) -> None:
        signer_key, verifier_key = note.generate_key(keys.origin())
        self.stderr.write(
            "Keep the first line secret (CHENGXIN_LOG_SIGNING_KEY or a file named by "
            "CHENGXIN_LOG_SIGNING_KEY_FILE); publish the second (the log's vkey)."
        )
        self.stdout.write(signer_key)
        self.stdout.write(verifier_key)

    def _reindex(self, **options: Any) -> None:
        count = services.subjects_rebuild()
        self.stdout.write(f"content index rebuilt: {count} entries")

    def _audit(self, **options: Any) -> None:
        findings = audit.log_audit()
        if not findings:
            self.stdout.write(f"log audit passed: tree size {services.tree_size()}")
            return
        for finding in findings:
            self.stdout.write(str(finding))
        self.stderr.write(f"log audit FAILED: {len(findings)} findings")
        sys.exit(1)
