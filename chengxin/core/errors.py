"""Errors that services raise for people to read; every adapter turns them into its own form."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that breaks a domain rule. Nothing was written."""

    def __init__(self, message: str, *, code: str = "invalid", details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details


class BatchRejected(ServiceError):
    """A bulk request with at least one bad row: ``details`` lists every bad row and why."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(
            f"{len(errors)} row(s) rejected; nothing was written",
            code="batch_rejected",
            details=errors,
        )
