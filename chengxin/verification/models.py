"""Verifications, their test points, and the certificates that passed ones earn."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chengxin.core.fields import grams_field
from chengxin.core.models import ChangeLoggedModel
from chengxin.core.permissions import RestrictedQuerySet, Scope
from chengxin.organizations.choices import OrganisationKind

from .choices import TestKind, VerificationKind, VerificationResult


class Verification(ChangeLoggedModel):
    """One verification (or in-service inspection) of one scale: pre-checks, tests, result."""

    scale = models.ForeignKey(
        "instruments.Scale",
        verbose_name=_("电子计价秤"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    institution = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("检定机构"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    kind = models.CharField(_("检定类别"), max_length=16, choices=VerificationKind.choices)
    performed_on = models.DateField(_("检定日期"))
    place = models.CharField(_("检定地点"), max_length=128, blank=True)
    temperature_c = models.DecimalField(
        _("温度（℃）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    standards = models.JSONField(_("计量标准器"), default=list, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检定员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identity_matches = models.BooleanField(_("唯一性信息核对一致"))
    software_version = models.CharField(_("显示的软件版本"), max_length=64)
    software_checksum = models.CharField(_("显示的软件校验和"), max_length=128)
    software_approved = models.BooleanField(_("软件标识与型式批准一致"))
    seals_intact = models.BooleanField(_("封印完好"))
    codes_present = models.BooleanField(_("生产码、维修码齐全"))
    result = models.CharField(_("检定结论"), max_length=8, choices=VerificationResult.choices)
    as_found = models.CharField(_("原始状态代码"), max_length=2, blank=True)
    reasons = models.JSONField(_("不合格原因"), default=list, blank=True)
    document_no = models.CharField(_("证书或通知书编号"), max_length=64, unique=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    verification_code = models.CharField(_("检定码"), max_length=64, blank=True)
    seal_ids = models.JSONField(_("施加的封印"), default=list, blank=True)

    personal_fields = ("verifier_id", "checker_id", "approver_id")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检定记录")
        verbose_name_plural = _("检定记录")
        ordering = ("-performed_on", "-id")
        indexes = [
            models.Index(fields=["scale", "-performed_on"]),
            models.Index(fields=["institution", "-performed_on"]),
        ]

    def __str__(self) -> str:
        return self.document_no

    def get_absolute_url(self) -> str:
        return reverse("verification:verification", args=[self.pk])

    @property
    def passed(self) -> bool:
        return self.result == VerificationResult.PASSED

    @property
    def in_service(self) -> bool:
        return self.kind == VerificationKind.IN_SERVICE

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        if scope.is_kind(OrganisationKind.REGULATOR):
            return scope.division_q("scale__division__code")
        if scope.is_kind(OrganisationKind.VERIFICATION):
            return Q(institution_id=scope.organisation_id)
        if scope.is_kind(OrganisationKind.MANUFACTURER):
            return Q(scale__manufacturer_id=scope.organisation_id)
        if scope.is_kind(OrganisationKind.MARKET_OPERATOR):
            return Q(scale__operator_id=scope.organisation_id)
        return Q(pk__in=[])


class TestPoint(ChangeLoggedModel):
    """One reading of one test: load L, indication I, added weights ΔL and what follows."""

    __test__ = False  # a domain name, not a pytest test class

    verification = models.ForeignKey(
        Verification,
        verbose_name=_("检定记录"),
        on_delete=models.PROTECT,
        related_name="points",
    )
    test = models.CharField(_("项目"), max_length=16, choices=TestKind.choices)
    position = models.PositiveSmallIntegerField(_("序号"))
    load_g = grams_field(_("载荷 L（g）"))
    indication_g = grams_field(_("示值 I（g）"))
    added_g = grams_field(_("附加砝码 ΔL（g）"))
    error_g = grams_field(_("误差 E（g）"))
    corrected_error_g = grams_field(_("修正误差 Ec（g）"), null=True, blank=True)
    mpe_g = grams_field(_("最大允许误差（g）"))
    passed = models.BooleanField(_("合格"))
    details = models.JSONField(_("其他数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("检定数据")
        verbose_name_plural = _("检定数据")
        ordering = ("verification", "test", "position")

    def __str__(self) -> str:
        # Plain values: written into every change record of a test point, so kept cheap.
        return f"{self.test} {self.position}: {self.load_g} g"


class Certificate(ChangeLoggedModel):
    """A verification certificate: the institution's signed note, logged like every record."""

    verification = models.OneToOneField(
        Verification,
        verbose_name=_("检定记录"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    # The scale again, so that the certificate's log leaf is found (and checked in the browser)
    # under the scale's own content-index key, from the leaf alone.
    scale = models.ForeignKey(
        "instruments.Scale",
        verbose_name=_("电子计价秤"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    number = models.CharField(_("证书编号"), max_length=64, unique=True)
    signing_key = models.ForeignKey(
        "organizations.SigningKey",
        verbose_name=_("签名密钥"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    note = models.TextField(_("签名文本"))
    issued_at = models.DateTimeField(_("签发时间"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检定证书")
        verbose_name_plural = _("检定证书")
        ordering = ("-issued_at", "-id")

    def __str__(self) -> str:
        return self.number

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        inner = Verification.jurisdiction_q(scope)
        return None if inner is None else Q(verification__in=Verification.objects.filter(inner))


class ImportStatus(models.TextChoices):
    # Kept beside ImportJob (not in choices.py) only because the import was built while
    # choices.py belonged to another change; move it there when convenient.
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("正在校验")
    WRITING = "writing", _("正在写入")
    DONE = "done", _("已导入")
    REJECTED = "rejected", _("已拒绝")
    FAILED = "failed", _("出错")


class ImportJob(models.Model):
    """One uploaded batch of verifications (CSV or XLSX) and how far its import has got.

    An operational record, not a domain fact: the verifications it writes carry their own change
    records and log leaves; the job only keeps the file until it is processed, the progress
    the console polls and, for a rejected batch, every bad row and why.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField(_("文件名"), max_length=255)
    content = models.BinaryField(_("文件内容"), blank=True)  # emptied once processed
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    checked_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    written_rows = models.PositiveIntegerField(_("已写入行数"), default=0)
    detail = models.TextField(_("说明"), blank=True)
    errors = models.JSONField(_("错误报告"), default=list, blank=True)
    verification_ids = models.JSONField(_("导入的检定记录"), default=list, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检定记录导入")
        verbose_name_plural = _("检定记录导入")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total_rows:
            return 0
        # Checking is the first half of the work, writing the second.
        done = self.checked_rows + self.written_rows
        return min(99, done * 100 // (2 * self.total_rows))

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        return Q(organisation_id=scope.organisation_id)
