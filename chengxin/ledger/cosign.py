"""Asking witnesses to cosign our checkpoints (the client side of C2SP tlog-witness).

Runs after the sequencer has committed a checkpoint, outside any database transaction (it waits
on the network). A witness that is down or refuses only means fewer cosignatures; the log goes
on, and with a quorum configured the previous published checkpoint stays the public one.
"""

from __future__ import annotations

import base64
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from . import merkle
from .models import Checkpoint, WitnessState
from .note import CosignatureVerifier, NoteError, open_note, parse_note
from .services import DatabaseHashReader

logger = logging.getLogger("chengxin.ledger.cosign")
TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Witness:
    name: str
    url: str
    verifier: CosignatureVerifier


def configured_witnesses() -> list[Witness]:
    """``CHENGXIN_LOG_WITNESSES``: a list of {"url": …, "vkey": …} (vkey of type 0x04)."""
    witnesses = []
    for item in getattr(settings, "CHENGXIN_LOG_WITNESSES", []):
        verifier = CosignatureVerifier.from_key(item["vkey"])
        witnesses.append(Witness(verifier.name, item["url"].rstrip("/"), verifier))
    return witnesses


def _post(url: str, body: bytes) -> tuple[int, str, str]:
    request = urllib.request.Request(  # noqa: S310 (configured https/http witness URL)
        f"{url}/add-checkpoint", data=body, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode(errors="replace")


def _request_body(old: int, checkpoint: Checkpoint, log_note: str) -> bytes:
    proof: list[bytes] = []
    if 0 < old < checkpoint.size:
        proof = merkle.prove_tree(checkpoint.size, old, DatabaseHashReader())
    lines = [f"old {old}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n" + log_note).encode()


def _ask(witness: Witness, checkpoint: Checkpoint, log_note: str) -> str | None:
    """One cosignature line from ``witness``, or None (logged) when it will not give one."""
    state, _ = WitnessState.objects.get_or_create(name=witness.name)
    old = min(state.size, checkpoint.size)
    for _attempt in range(2):
        status, content_type, text = _post(witness.url, _request_body(old, checkpoint, log_note))
        if status == 409 and content_type.startswith("text/x.tlog.size"):
            old = int(text.strip())  # the witness knows another size: prove from there
            if old > checkpoint.size:
                logger.warning("witness %s has seen a larger tree (%d)", witness.name, old)
                return None
            continue
        if status != 200:
            logger.warning(
                "witness %s refused checkpoint %d: %s %s",
                witness.name,
                checkpoint.size,
                status,
                text.strip()[:200],
            )
            return None
        for line in text.splitlines():
            try:
                open_note(log_note + line + "\n", [witness.verifier])
            except NoteError:
                continue
            WitnessState.objects.filter(name=witness.name).update(size=checkpoint.size)
            return line + "\n"
        logger.warning("witness %s answered without a valid cosignature", witness.name)
        return None
    return None


def checkpoint_cosign(checkpoint: Checkpoint) -> int:
    """Collect cosignatures for ``checkpoint`` from every configured witness; return the count."""
    witnesses = configured_witnesses()
    if not witnesses:
        return 0
    text, signatures = parse_note(checkpoint.note)
    log_note = (
        text
        + "\n"
        + "".join(
            s.to_line() + "\n" for s in signatures if s.name not in {w.name for w in witnesses}
        )
    )
    lines: list[str] = []
    for witness in witnesses:
        try:
            line = _ask(witness, checkpoint, log_note)
        except (OSError, ValueError) as exc:
            logger.warning("witness %s unreachable: %s", witness.name, exc)
            line = None
        if line is not None:
            lines.append(line)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(
        note=log_note + "".join(lines), cosignatures=len(lines)
    )
    return len(lines)


def cosign_latest() -> int:
    latest: Any = Checkpoint.objects.order_by("-size").first()
    return 0 if latest is None else checkpoint_cosign(latest)
