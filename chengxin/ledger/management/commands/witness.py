"""``chengxin witness``: run an independent witness (C2SP tlog-witness), or make its key.

    chengxin witness keygen witness.example.org/w1 > witness.key
    chengxin witness serve --key witness.key --state witness.json \\
        --log "chengxin.example.org/log=<log vkey>" [--listen 127.0.0.1:7380]

The witness needs no database and no platform settings: it is meant to run elsewhere, by a
metrology institute, so that the log cannot show different trees to different people.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chengxin.ledger import witness
from chengxin.ledger.note import CosignatureSigner, Ed25519Signer, Ed25519Verifier, NoteError


class Command(BaseCommand):
    help = "Run an independent transparency-log witness, or generate its key."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="print a new witness signing key")
        keygen.add_argument("name", help="the witness's name, e.g. witness.example.org/w1")
        serve = sub.add_parser("serve", help="answer add-checkpoint requests")
        serve.add_argument("--key", required=True, type=Path, help="file with the signing key")
        serve.add_argument("--state", required=True, type=Path, help="state file (JSON)")
        serve.add_argument(
            "--log",
            action="append",
            required=True,
            metavar="ORIGIN=VKEY",
            help="a log to witness (repeatable)",
        )
        serve.add_argument("--listen", default="127.0.0.1:7380", help="host:port")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "keygen":
            try:
                signer = Ed25519Signer.generate(options["name"])
            except NoteError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(signer.signer_key)
            cosigner = CosignatureSigner.from_key(signer.signer_key)
            self.stderr.write(f"verifier key (give this to the log): {cosigner.verifier_key}")
            return
        try:
            signer_key = options["key"].read_text().strip()
            cosigner = CosignatureSigner.from_key(signer_key)
            logs: dict[str, list[Any]] = {}
            for item in options["log"]:
                origin, sep, vkey = item.partition("=")
                if not sep:
                    raise CommandError(f"--log wants ORIGIN=VKEY, got {item!r}")
                logs.setdefault(origin, []).append(Ed25519Verifier.from_key(vkey))
            host, _, port = options["listen"].rpartition(":")
            server = witness.make_server(
                (host or "127.0.0.1", int(port)),
                logs=logs,
                signer=cosigner,
                state=witness.StateFile(options["state"]),
            )
        except (OSError, ValueError, NoteError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"witness {cosigner.name} listening on {options['listen']} for {', '.join(logs)}\n"
            f"its verifier key: {cosigner.verifier_key}"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.shutdown()
