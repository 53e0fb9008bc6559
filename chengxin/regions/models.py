"""Administrative divisions (GB/T 2260)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DivisionLevel
from .codes import prefix_of

if TYPE_CHECKING:
    from chengxin.core.permissions import Scope


class Division(models.Model):
    """A province, prefecture-level city or county as coded in GB/T 2260.

    Codes are retired, never deleted: a retired code keeps its name and gets ``valid_until``,
    so records that carry it stay readable.
    """

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=8, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_until = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        return None  # the list of divisions is public

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    @property
    def is_current(self) -> bool:
        return self.valid_until is None
