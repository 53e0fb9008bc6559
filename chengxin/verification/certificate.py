"""The text of a verification certificate, as signed by the institution (C2SP signed-note body).

Pure module, no Django: a verifier app or ``chengxin verify`` re-reads exactly these lines. The
format is versioned by its first line; fields appear once, in this order, ``key value``; values
never contain a newline. Personal data never appears (verifier, checker and approver are named
in the PDF the institution hands over, not in the signed, public text).

    chengxin.certificate/v1
    number <certificate number>
    scale <platform code>
    serial <manufacturer serial>
    type-approval <certificate no.>
    institution <unified social credit code>
    kind <initial|subsequent|after_repair>
    verified-on <YYYY-MM-DD>
    valid-until <YYYY-MM-DD>
    verification-code <code>
    result passed
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEADER = "chengxin.certificate/v1"
_KEYS = (
    ("number", "number"),
    ("scale", "scale"),
    ("serial", "serial"),
    ("type-approval", "type_approval"),
    ("institution", "institution"),
    ("kind", "kind"),
    ("verified-on", "verified_on"),
    ("valid-until", "valid_until"),
    ("verification-code", "verification_code"),
    ("result", "result"),
)


class CertificateError(ValueError):
    """Text that is not a v1 certificate body."""


@dataclass(frozen=True)
class CertificateBody:
    number: str
    scale: str
    serial: str
    type_approval: str
    institution: str
    kind: str
    verified_on: dt.date
    valid_until: dt.date
    verification_code: str
    result: str = "passed"

    def text(self) -> str:
        lines = [HEADER]
        for key, attr in _KEYS:
            value = getattr(self, attr)
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
            if not value or "\n" in value or value != value.strip():
                raise CertificateError(f"{key} must be one non-empty line without outer spaces")
            lines.append(f"{key} {value}")
        return "\n".join(lines) + "\n"


def parse_certificate(text: str) -> CertificateBody:
    lines = text.split("\n")
    if lines[-1] != "" or lines[0] != HEADER:
        raise CertificateError("not a chengxin.certificate/v1 text")
    body = lines[1:-1]
    if len(body) != len(_KEYS):
        raise CertificateError(f"expected {len(_KEYS)} fields, found {len(body)}")
    values: dict[str, object] = {}
    for line, (key, attr) in zip(body, _KEYS, strict=True):
        name, _, value = line.partition(" ")
        if name != key or not value:
            raise CertificateError(f"expected field {key!r}, found {line[:40]!r}")
        values[attr] = value
    try:
        values["verified_on"] = dt.date.fromisoformat(str(values["verified_on"]))
        values["valid_until"] = dt.date.fromisoformat(str(values["valid_until"]))
    except ValueError as exc:
        raise CertificateError(f"bad date: {exc}") from exc
    certificate = CertificateBody(**values)  # type: ignore[arg-type]
    if certificate.text() != text:
        raise CertificateError("certificate text is not in canonical form")
    return certificate


__all__ = ["HEADER", "CertificateBody", "CertificateError", "parse_certificate"]
