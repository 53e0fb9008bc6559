"""Who is acting, under which request id — for every entry point alike.

The web middleware, the API, management commands and background tasks all set this context,
so the change-record mechanism never needs to be told who made a change. It must never hold
anything but the actor, the request id and the kind of change in progress.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class ActionContext:
    """The acting user (None for the system itself), a request id and a change-kind override."""

    user: Any = None
    request_id: str = ""
    source: str = "system"
    change_action: str | None = None


# ActionContext is frozen, so sharing one default instance is safe.
_current: ContextVar[ActionContext] = ContextVar(
    "chengxin_action",
    default=ActionContext(),  # noqa: B039
)


def current() -> ActionContext:
    return _current.get()


def actor() -> Any:
    """The acting user, or None when the system itself acts (a task, the sequencer)."""
    user = _current.get().user
    resolve = getattr(user, "resolve", None)
    return resolve() if resolve is not None else user


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting_as(user: Any, *, source: str, request_id: str | None = None) -> Iterator[ActionContext]:
    """Run a block as ``user`` coming from ``source`` (web, api, cli, task, mqtt)."""
    ctx = ActionContext(user=user, request_id=request_id or new_request_id(), source=source)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def service_actor(user: Any) -> Iterator[None]:
    """Make ``user`` the actor of the block when no request or command has set one.

    Services take the acting user explicitly; this keeps the change records of a service call
    made from a test, a shell or a task attributed to that user.
    """
    if user is None or actor() is not None:
        yield
        return
    token = _current.set(replace(_current.get(), user=user))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def change_action(action: str) -> Iterator[None]:
    """Label the changes made inside the block (e.g. ``transition`` instead of ``update``)."""
    token = _current.set(replace(_current.get(), change_action=action))
    try:
        yield
    finally:
        _current.reset(token)
