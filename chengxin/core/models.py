"""Base models and the change record.

Every domain model that people change inherits ``ChangeLoggedModel``; the change record is
written by one mechanism (``chengxin.core.changes``), never by views or services by hand.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChangeAction

if TYPE_CHECKING:
    from .permissions import Scope


class ChangeLoggedModel(models.Model):
    """A model whose every create, update and delete leaves a change record.

    The state as loaded from the database is kept so that an update's "before" costs no extra
    query. ``change_log_exclude`` names fields that churn without meaning (timestamps).
    """

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    change_log_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")
    # Fields holding personal data: kept in change records (which only authorised users read)
    # but replaced by salted commitments in the public transparency log.
    personal_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    _loaded_values: tuple[Any, tuple[Any, ...]] | None = None

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Any:
        instance = super().from_db(db, field_names, values, **kwargs)
        # Keep the loaded values for the "before" of the next change record; turning them into
        # a snapshot waits until a save needs it (most loaded rows are only read). Containers are
        # copied so that an in-place edit of a JSON field still shows as a change.
        instance._loaded_values = (
            field_names,
            tuple(copy.deepcopy(v) if isinstance(v, list | dict) else v for v in values),
        )
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        # What is in the database now is the "before" of the next change.
        self.__dict__["_saved_snapshot"] = self.snapshot()

    def snapshot(self) -> dict[str, Any]:
        from .changes import snapshot

        return snapshot(self)


class ImmutableQuerySet(models.QuerySet["ChangeRecord"]):
    """Change records are facts: no bulk update or delete through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("change records cannot be altered")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("change records cannot be deleted")


class ChangeRecord(models.Model):
    """One create, update, delete or lifecycle transition of one record, by whom and when."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    user_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)
    source = models.CharField(_("来源"), max_length=16, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=ChangeAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("记录编号"), max_length=64)
    object_repr = models.CharField(_("记录"), max_length=200)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ("-time", "-id")
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr} @ {self.time:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("change records cannot be altered")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("change records cannot be deleted")

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> models.Q | None:
        """Records made by people of the user's own organisation (all of them nationwide).

        Records of one object the user can see are reached through that object instead
        (the object's history), which checks the object's own jurisdiction first.
        """
        if scope.everything:
            return None
        if scope.organisation_id is not None:
            return models.Q(user__organisation_id=scope.organisation_id)
        return models.Q(user_id=scope.user_id)

    @property
    def changed_fields(self) -> list[str]:
        """Field names whose value differs between before and after."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
