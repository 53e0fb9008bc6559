"""A transparency-log witness (C2SP tlog-witness): keep the latest size per log, check
consistency proofs, cosign.

Pure module, no Django: a metrology institute runs it apart from the platform
(``chengxin witness serve``), with its own key and its own state file. What it must never do:
cosign a checkpoint that is not consistent with the last one it cosigned for that origin, or
roll its recorded size back — the check and the update happen under one lock.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import merkle
from .checkpoint import CheckpointError, parse_checkpoint
from .note import CosignatureSigner, NoteError, Verifier, open_note, parse_note

MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class LogState:
    size: int
    root_hash: bytes


class StateFile:
    """The witness's memory: latest cosigned (size, root) per origin, in one JSON file.

    ``transaction`` holds an exclusive lock on the file for the check-and-update, so that two
    requests can never roll the recorded size back (the race the spec describes).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[dict[str, LogState]]:
        with self._thread_lock, open(self._lock_path(), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            states = self._read()
            before = dict(states)
            yield states
            if states != before:
                self._write(states)

    def _lock_path(self) -> Path:
        return self.path.with_suffix(self.path.suffix + ".lock")

    def _read(self) -> dict[str, LogState]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text())
        return {
            origin: LogState(int(v["size"]), base64.b64decode(v["root_hash"]))
            for origin, v in raw.items()
        }

    def _write(self, states: Mapping[str, LogState]) -> None:
        data = {
            origin: {"size": s.size, "root_hash": base64.b64encode(s.root_hash).decode()}
            for origin, s in states.items()
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)  # atomic: a crash leaves the old or the new state


class MemoryState:
    """The same contract in memory (tests, embedding)."""

    def __init__(self) -> None:
        self.states: dict[str, LogState] = {}
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[dict[str, LogState]]:
        with self._lock:
            yield self.states


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    text = body.decode("utf-8")
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise ValueError("missing the empty line before the checkpoint")
    lines = head.split("\n")
    old = lines[0]
    if not old.startswith("old ") or not merkle_size(old[4:]):
        raise ValueError("first line must be 'old <size>'")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise ValueError("too many consistency proof lines")
    proof = []
    for line in proof_lines:
        try:
            value = base64.b64decode(line, validate=True)
        except binascii.Error as exc:
            raise ValueError("a proof line is not base64") from exc
        if len(value) != 32:
            raise ValueError("a proof line is not a SHA-256 hash")
        proof.append(value)
    return int(old[4:]), proof, checkpoint


def merkle_size(text: str) -> bool:
    return text == "0" or (text.isdigit() and not text.startswith("0") and len(text) <= 20)


def add_checkpoint(
    body: bytes,
    *,
    logs: Mapping[str, Sequence[Verifier]],
    signer: CosignatureSigner,
    state: StateFile | MemoryState,
) -> Response:
    """Handle one ``add-checkpoint`` request body; the status codes are the spec's."""
    if len(body) > MAX_BODY:
        return Response(400, b"request too large\n")
    try:
        old_size, proof, checkpoint_text = _parse_request(body)
        text, _ = parse_note(checkpoint_text)
        checkpoint = parse_checkpoint(text)
    except (ValueError, UnicodeDecodeError, NoteError, CheckpointError) as exc:
        return Response(400, f"malformed request: {exc}\n".encode())
    verifiers = logs.get(checkpoint.origin)
    if verifiers is None:
        return Response(404, b"unknown log origin\n")
    try:
        open_note(checkpoint_text, verifiers)
    except NoteError:
        return Response(403, b"checkpoint is not signed by a trusted log key\n")
    if old_size > checkpoint.size:
        return Response(400, b"old size is larger than the checkpoint size\n")
    with state.transaction() as states:
        known = states.get(checkpoint.origin, LogState(0, merkle.EMPTY_ROOT_HASH))
        if old_size != known.size:
            return Response(409, f"{known.size}\n".encode(), SIZE_CONTENT_TYPE)
        if old_size == checkpoint.size:
            if checkpoint.root_hash != known.root_hash and old_size != 0:
                return Response(409, b"same size, different root hash\n")
        elif old_size == 0:
            if proof:
                return Response(422, b"the proof from size 0 must be empty\n")
        else:
            try:
                merkle.verify_consistency(
                    old_size, checkpoint.size, proof, known.root_hash, checkpoint.root_hash
                )
            except merkle.ProofError as exc:
                return Response(422, f"consistency proof does not verify: {exc}\n".encode())
        states[checkpoint.origin] = LogState(checkpoint.size, checkpoint.root_hash)
    signature = signer.sign(text.encode())
    line = "— {} {}\n".format(
        signer.name,
        base64.b64encode(signer.key_id.to_bytes(4, "big") + signature).decode(),
    )
    return Response(200, line.encode())


def make_server(
    address: tuple[str, int],
    *,
    logs: Mapping[str, Sequence[Verifier]],
    signer: CosignatureSigner,
    state: StateFile | MemoryState,
) -> ThreadingHTTPServer:
    """An HTTP server answering ``POST /add-checkpoint`` (and nothing else)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "chengxin-witness/1"

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/add-checkpoint":
                self._send(Response(404, b"not found\n"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(Response(400, b"request too large\n"))
                return
            self._send(
                add_checkpoint(self.rfile.read(length), logs=logs, signer=signer, state=state)
            )

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet; the command prints what it does

    return ThreadingHTTPServer(address, Handler)
