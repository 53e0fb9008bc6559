"""Markets, their stalls, and the vendors who trade there.

Vendors are people: their names, phone and ID numbers are personal data and must never appear
on a public page, in a public export or in a transparency-log leaf.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chengxin.core.models import ChangeLoggedModel
from chengxin.core.permissions import RestrictedQuerySet, Scope
from chengxin.organizations.choices import OrganisationKind


class Market(ChangeLoggedModel):
    """A farmers' market or supermarket whose operator keeps a register of trade scales."""

    name = models.CharField(_("市场名称"), max_length=128)
    operator = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("市场开办者"),
        on_delete=models.PROTECT,
        related_name="markets",
    )
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("市场")
        verbose_name_plural = _("市场")
        ordering = ("division", "name")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("markets:market", args=[self.pk])

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        if scope.is_kind(OrganisationKind.MARKET_OPERATOR):
            return Q(operator_id=scope.organisation_id)
        if scope.is_kind(
            OrganisationKind.REGULATOR, OrganisationKind.VERIFICATION, OrganisationKind.REPAIRER
        ):
            return scope.division_q("division__code")
        return Q(pk__in=[])

    def writable_by(self, scope: Scope) -> bool:
        if scope.is_kind(OrganisationKind.MARKET_OPERATOR):
            return self.operator_id == scope.organisation_id
        return scope.everything or (
            scope.is_kind(OrganisationKind.REGULATOR) and scope.covers_division(self.division_id)
        )


class Vendor(ChangeLoggedModel):
    """A stall holder. Personal data: shown only to the market operator and regulators."""

    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.PROTECT, related_name="vendors"
    )
    name = models.CharField(_("经营者姓名或名称"), max_length=128)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)

    personal_fields = ("name", "phone", "id_number", "uscc")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("经营者")
        verbose_name_plural = _("经营者")
        ordering = ("market", "name")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        if scope.is_kind(OrganisationKind.MARKET_OPERATOR):
            return Q(market__operator_id=scope.organisation_id)
        if scope.is_kind(OrganisationKind.REGULATOR):
            return scope.division_q("market__division__code")
        return Q(pk__in=[])

    def writable_by(self, scope: Scope) -> bool:
        return self.market.writable_by(scope)


class Stall(ChangeLoggedModel):
    """A numbered place in a market, let to one vendor at a time."""

    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.PROTECT, related_name="stalls"
    )
    number = models.CharField(_("摊位号"), max_length=32)
    vendor = models.ForeignKey(
        Vendor,
        verbose_name=_("经营者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stalls",
    )
    is_fair_scale_point = models.BooleanField(_("公平秤点"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("摊位")
        verbose_name_plural = _("摊位")
        ordering = ("market", "number")
        constraints = [
            models.UniqueConstraint(fields=["market", "number"], name="stall_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.number}"

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        market_q = Market.jurisdiction_q(scope)
        if market_q is None:
            return None
        return Q(market__in=Market.objects.filter(market_q))

    def writable_by(self, scope: Scope) -> bool:
        return self.market.writable_by(scope)
