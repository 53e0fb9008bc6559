"""Organisations, the people who act for them, and what they are authorised to do."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chengxin.core.models import ChangeLoggedModel
from chengxin.core.permissions import RestrictedQuerySet, Scope

from . import uscc
from .choices import AuthorisationKind, OrganisationKind, Role


def validate_uscc(value: str) -> None:
    try:
        uscc.validate(value)
    except uscc.UsccError as exc:
        raise ValidationError(str(exc), code="uscc") from exc


class Organisation(ChangeLoggedModel):
    """A bureau, maker, institution, market operator or repairer that acts on the platform."""

    kind = models.CharField(_("机构类型"), max_length=24, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=128)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    personal_fields = ("contact_name", "contact_phone")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ("kind", "division", "name")
        indexes = [models.Index(fields=["kind", "division"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:organisation", args=[self.pk])

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        # The directory of organisations (name, kind, credit code, division) is public
        # information in every province's registry; any signed-in user may read it.
        return None

    def writable_by(self, scope: Scope) -> bool:
        return scope.everything or (
            scope.is_kind(OrganisationKind.REGULATOR) and scope.covers_division(self.division_id)
        )


class User(AbstractUser):
    """A person acting for one organisation, with one or more roles in it."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    roles = models.JSONField(_("角色"), default=list, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ("username",)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        return role in self.roles or Role.ADMIN in self.roles

    def clean(self) -> None:
        super().clean()
        unknown = set(self.roles) - set(Role.values)
        if unknown:
            raise ValidationError({"roles": _("未知角色：%s") % ", ".join(sorted(unknown))})


class Authorisation(ChangeLoggedModel):
    """What a verification institution or repairer may do: instrument kinds, divisions, dates."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("被授权机构"),
        on_delete=models.PROTECT,
        related_name="authorisations",
    )
    kind = models.CharField(_("授权类型"), max_length=16, choices=AuthorisationKind.choices)
    certificate_no = models.CharField(_("授权证书编号"), max_length=64)
    issued_by = models.ForeignKey(
        Organisation,
        verbose_name=_("授权部门"),
        on_delete=models.PROTECT,
        related_name="issued_authorisations",
    )
    instrument_kinds = models.JSONField(_("计量器具种类"), default=list)
    division_codes = models.JSONField(_("授权区域"), default=list)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ("organisation", "-valid_until")

    def __str__(self) -> str:
        return f"{self.certificate_no} {self.organisation}"

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        if scope.is_kind(OrganisationKind.REGULATOR):
            return scope.division_q("organisation__division__code") | scope.division_q(
                "issued_by__division__code"
            )
        return Q(organisation_id=scope.organisation_id)

    def writable_by(self, scope: Scope) -> bool:
        return scope.everything or (
            scope.is_kind(OrganisationKind.REGULATOR)
            and scope.covers_division(self.organisation.division_id)
        )

    def covers(self, *, instrument_kind: str, division_code: str, on: dt.date) -> bool:
        from chengxin.regions.codes import contains

        return (
            self.valid_from <= on <= self.valid_until
            and instrument_kind in self.instrument_kinds
            and any(contains(code, division_code) for code in self.division_codes)
        )


class SigningKey(ChangeLoggedModel):
    """An organisation's Ed25519 key for signing certificates (a C2SP signed-note key).

    Keys rotate: a new key retires the previous one (``retired_on``); certificates keep naming
    the key that signed them, and every key's public half is published and logged. The private
    half is held by the platform on the institution's behalf and never leaves it: it is excluded
    from change records and so from the log.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("机构"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    name = models.CharField(_("密钥名称"), max_length=128)
    verifier_key = models.CharField(_("公钥（验证密钥）"), max_length=256, unique=True)
    private_key = models.CharField(_("私钥"), max_length=256, editable=False)
    created_on = models.DateField(_("启用日期"))
    retired_on = models.DateField(_("停用日期"), null=True, blank=True)

    change_log_exclude = ("created_at", "updated_at", "private_key")

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ("organisation", "-created_on", "-id")

    def __str__(self) -> str:
        return self.verifier_key

    @property
    def is_current(self) -> bool:
        return self.retired_on is None

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        return None  # public keys are published; the private half is never serialised
