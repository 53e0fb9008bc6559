"""The one permission check: who may see and do what, by jurisdiction and role.

A user's *scope* is computed once per request from their organisation: a regulator covers its
division prefix (the national bureau covers everything), a manufacturer its own records, a
verification institution or repairer the divisions of its current authorisations, a market
operator its own markets. Each restricted model says how a scope maps onto its rows
(``jurisdiction_q``) and who may write it (``writable_by``); views, the API, exports, search
and counts all go through ``visible_to`` / ``require`` here and nowhere else.

Anything outside a user's jurisdiction is reported as not found (404), never as forbidden, so
that the existence of a record does not leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    """What one user covers. ``everything`` for superusers and the national bureau."""

    user_id: int | None
    organisation_id: int | None = None
    organisation_kind: str | None = None
    roles: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    everything: bool = False
    authorised_kinds: frozenset[str] = field(default_factory=frozenset)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, role: str) -> bool:
        return self.everything or role in self.roles or "admin" in self.roles

    def covers_division(self, code: str | None) -> bool:
        if self.everything:
            return True
        return code is not None and any(code.startswith(p) for p in self.prefixes)

    def division_q(self, lookup: str) -> Q:
        """Rows whose division (reached by ``lookup``) lies inside this scope's prefixes."""
        if self.everything:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        q = Q()
        for prefix in self.prefixes:
            q |= Q(**{f"{lookup}__startswith": prefix})
        return q

    def is_kind(self, *kinds: str) -> bool:
        return self.organisation_kind in kinds


NOBODY = Scope(user_id=None)


def scope_for(user: Any, *, on: dt.date | None = None) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, "_chengxin_scope", None)
    if cached is not None and on is None:
        return cached
    scope = _compute_scope(user, on or timezone.localdate())
    if on is None:
        user._chengxin_scope = scope
    return scope


def _compute_scope(user: Any, on: dt.date) -> Scope:
    from chengxin.organizations.choices import OrganisationKind
    from chengxin.regions.codes import prefix_of

    roles = frozenset(user.roles or ())
    if user.is_superuser:
        return Scope(user_id=user.pk, roles=roles, everything=True)
    org = user.organisation
    if org is None or not org.is_active:
        return Scope(user_id=user.pk, roles=roles)
    base = {
        "user_id": user.pk,
        "organisation_id": org.pk,
        "organisation_kind": org.kind,
        "roles": roles,
    }
    if org.kind == OrganisationKind.REGULATOR:
        if org.division_id == "000000":
            return Scope(**base, everything=True)
        return Scope(**base, prefixes=(prefix_of(org.division_id),))
    if org.kind in (OrganisationKind.VERIFICATION, OrganisationKind.REPAIRER):
        prefixes: set[str] = set()
        kinds: set[str] = set()
        for auth in org.authorisations.filter(valid_from__lte=on, valid_until__gte=on):
            prefixes.update(prefix_of(code) for code in auth.division_codes)
            kinds.update(auth.instrument_kinds)
        return Scope(**base, prefixes=tuple(sorted(prefixes)), authorised_kinds=frozenset(kinds))
    return Scope(**base)


class RestrictedQuerySet(models.QuerySet[_M]):
    """A queryset that knows how to cut itself down to one user's jurisdiction."""

    def visible_to(self, user: Any) -> models.QuerySet[_M]:
        return visible(self, user)


def visible(model_or_qs: type[_M] | models.QuerySet[_M], user: Any) -> models.QuerySet[_M]:
    """Only the rows ``user`` may see. Every list, export, search and count starts here."""
    if isinstance(model_or_qs, models.QuerySet):
        qs = model_or_qs
    else:
        qs = model_or_qs._default_manager.all()
    return visible_in_scope(qs, scope_for(user))


def visible_in_scope(qs: models.QuerySet[_M], scope: Scope) -> models.QuerySet[_M]:
    """``visible`` for a scope already computed (cached query plans key on the scope)."""
    if not scope.authenticated:
        return qs.none()
    q = qs.model.jurisdiction_q(scope)  # type: ignore[attr-defined]
    return qs if q is None else qs.filter(q)


def get_visible_or_404(model_or_qs: type[_M] | models.QuerySet[_M], user: Any, **lookup: Any) -> _M:
    """The object if the user may see it; otherwise 404, whether it exists or not."""
    try:
        return visible(model_or_qs, user).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def can_write(user: Any, obj: models.Model) -> bool:
    """Whether ``user`` may change ``obj`` (the model's ``writable_by`` rule)."""
    scope = scope_for(user)
    writable_by = getattr(obj, "writable_by", None)
    return scope.authenticated and writable_by is not None and bool(writable_by(scope))


def require_write(user: Any, obj: models.Model) -> None:
    """404 when the object is outside the user's sight; 403 when seen but not theirs to change."""
    if not visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists():
        raise Http404("not found")
    if not can_write(user, obj):
        raise PermissionDenied("not permitted")
