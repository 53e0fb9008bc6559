"""Type approvals, the scales made to them, and every event of a scale's life."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chengxin.core.fields import grams_field
from chengxin.core.models import ChangeLoggedModel
from chengxin.core.permissions import RestrictedQuerySet, Scope
from chengxin.organizations.choices import InstrumentKind, OrganisationKind

from . import codes
from .choices import AccuracyClass, ScaleState, TypeApprovalStatus


class TypeApproval(ChangeLoggedModel):
    """A regulator's approval of a model (型式批准): the certificate and what it allows.

    Type approvals are public records: anyone signed in can read them; only the regulator of
    the manufacturer's province may change them.
    """

    certificate_no = models.CharField(_("型式批准证书编号"), max_length=64, unique=True)
    manufacturer = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("生产企业"),
        on_delete=models.PROTECT,
        related_name="type_approvals",
    )
    model_name = models.CharField(_("型号"), max_length=64)
    instrument_kind = models.CharField(
        _("器具种类"),
        max_length=32,
        choices=InstrumentKind.choices,
        default=InstrumentKind.PRICE_COMPUTING_SCALE,
    )
    accuracy_class = models.CharField(_("准确度等级"), max_length=4, choices=AccuracyClass.choices)
    max_capacity_g = grams_field(_("最大秤量（g）"))
    min_capacity_g = grams_field(_("最小秤量（g）"))
    e_g = grams_field(_("检定分度值 e（g）"))
    issued_by = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("批准部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluation_institution = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("型式评价机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluation_report_no = models.CharField(_("型式评价报告编号"), max_length=64, blank=True)
    issued_on = models.DateField(_("批准日期"))
    spec_version = models.CharField(_("依据规范"), max_length=32, default="JJF 2184-2025")
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=TypeApprovalStatus.choices,
        default=TypeApprovalStatus.VALID,
        db_index=True,
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("型式批准")
        verbose_name_plural = _("型式批准")
        ordering = ("-issued_on", "certificate_no")

    def __str__(self) -> str:
        return f"{self.certificate_no} {self.model_name}"

    def get_absolute_url(self) -> str:
        return reverse("instruments:type_approval", args=[self.pk])

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        return None  # public records

    def writable_by(self, scope: Scope) -> bool:
        return scope.everything or (
            scope.is_kind(OrganisationKind.REGULATOR)
            and scope.covers_division(self.manufacturer.division_id)
        )

    @property
    def allows_new_units(self) -> bool:
        return self.status == TypeApprovalStatus.VALID


class SoftwareIdentification(ChangeLoggedModel):
    """A legally relevant software version (and its checksum) approved for a type."""

    type_approval = models.ForeignKey(
        TypeApproval,
        verbose_name=_("型式批准"),
        on_delete=models.CASCADE,
        related_name="software",
    )
    version = models.CharField(_("软件版本"), max_length=64)
    checksum = models.CharField(_("校验和"), max_length=128)

    class Meta:
        verbose_name = _("软件标识")
        verbose_name_plural = _("软件标识")
        ordering = ("type_approval", "version")
        constraints = [
            models.UniqueConstraint(
                fields=["type_approval", "version", "checksum"], name="software_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.checksum})"


class TypeApprovalStatusChange(ChangeLoggedModel):
    """One dated change of a type approval's status, with the decision behind it."""

    type_approval = models.ForeignKey(
        TypeApproval,
        verbose_name=_("型式批准"),
        on_delete=models.PROTECT,
        related_name="status_history",
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=TypeApprovalStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=TypeApprovalStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    decision_no = models.CharField(_("决定文号"), max_length=64)
    reason = models.TextField(_("原因"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("型式批准状态变更")
        verbose_name_plural = _("型式批准状态变更")
        ordering = ("type_approval", "effective_on", "id")

    def __str__(self) -> str:
        return f"{self.type_approval}: {self.from_status} → {self.to_status}"


class Scale(ChangeLoggedModel):
    """One physical price-computing scale, identified for life by its platform code."""

    code = models.CharField(_("一秤一码"), max_length=codes.LENGTH, unique=True)
    serial = models.CharField(_("出厂编号"), max_length=64)
    manufacturer = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("生产企业"),
        on_delete=models.PROTECT,
        related_name="scales",
    )
    type_approval = models.ForeignKey(
        TypeApproval, verbose_name=_("型式批准"), on_delete=models.PROTECT, related_name="scales"
    )
    accuracy_class = models.CharField(_("准确度等级"), max_length=4, choices=AccuracyClass.choices)
    max_capacity_g = grams_field(_("最大秤量（g）"))
    min_capacity_g = grams_field(_("最小秤量（g）"))
    e_g = grams_field(_("检定分度值 e（g）"))
    d_g = grams_field(_("实际分度值 d（g）"))
    software_version = models.CharField(_("软件版本"), max_length=64)
    software_checksum = models.CharField(_("软件校验和"), max_length=128)
    production_code = models.CharField(_("生产码"), max_length=64)
    repair_code = models.CharField(_("维修码"), max_length=64, blank=True)
    verification_code = models.CharField(_("检定码"), max_length=64, blank=True)
    seal_ids = models.JSONField(_("封印编号"), default=list, blank=True)
    device_public_key = models.CharField(_("设备公钥"), max_length=128, blank=True)
    manufactured_on = models.DateField(_("生产日期"))
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    operator = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("市场开办者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_scales",
    )
    market = models.ForeignKey(
        "markets.Market",
        verbose_name=_("市场"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scales",
    )
    stall = models.ForeignKey(
        "markets.Stall",
        verbose_name=_("摊位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scales",
    )
    vendor = models.ForeignKey(
        "markets.Vendor",
        verbose_name=_("经营者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scales",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ScaleState.choices, default=ScaleState.MANUFACTURED
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    calibration_counter = models.PositiveIntegerField(
        _("校准计数器（封印时）"), null=True, blank=True
    )
    configuration_counter = models.PositiveIntegerField(
        _("配置计数器（封印时）"), null=True, blank=True
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("电子计价秤")
        verbose_name_plural = _("电子计价秤")
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "serial"], name="scale_serial_unique_per_manufacturer"
            )
        ]
        indexes = [
            models.Index(fields=["division", "state"]),
            models.Index(fields=["state", "valid_until"]),
            models.Index(fields=["operator", "state"]),
            models.Index(fields=["manufacturer", "state"]),
        ]

    def __str__(self) -> str:
        return codes.display(self.code)

    def get_absolute_url(self) -> str:
        return reverse("instruments:scale", args=[self.code])

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    @classmethod
    def jurisdiction_q(cls, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        if scope.is_kind(
            OrganisationKind.REGULATOR, OrganisationKind.VERIFICATION, OrganisationKind.REPAIRER
        ):
            return scope.division_q("division__code")
        if scope.is_kind(OrganisationKind.MANUFACTURER):
            return Q(manufacturer_id=scope.organisation_id)
        if scope.is_kind(OrganisationKind.MARKET_OPERATOR):
            return Q(operator_id=scope.organisation_id)
        return Q(pk__in=[])

    def writable_by(self, scope: Scope) -> bool:
        """Who may correct a unit's registration data (not its state: that is a transition)."""
        return scope.everything or (
            scope.is_kind(OrganisationKind.MANUFACTURER)
            and self.manufacturer_id == scope.organisation_id
            and self.state in (ScaleState.MANUFACTURED, ScaleState.IN_STOCK)
        )


class LifecycleEvent(ChangeLoggedModel):
    """One transition in a scale's life: what happened, who did it, when, on which document."""

    scale = models.ForeignKey(
        Scale, verbose_name=_("电子计价秤"), on_delete=models.PROTECT, related_name="events"
    )
    transition = models.CharField(_("事项"), max_length=32)
    from_state = models.CharField(
        _("原状态"), max_length=16, choices=ScaleState.choices, blank=True
    )
    to_state = models.CharField(_("新状态"), max_length=16, choices=ScaleState.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organizations.Organisation",
        verbose_name=_("机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    document = models.CharField(_("文书编号"), max_length=64, blank=True)
    note = models.TextField(_("备注"), blank=True)
    details = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("生命周期事件")
        verbose_name_plural = _("生命周期事件")
        ordering = ("scale", "at", "id")
        indexes = [models.Index(fields=["scale", "at"])]

    def __str__(self) -> str:
        return f"{self.scale} {self.transition} {self.at:%Y-%m-%d}"

    @property
    def transition_label(self) -> str:
        from .lifecycle import TRANSITIONS

        t = TRANSITIONS.get(self.transition)
        return str(t.label) if t else str(_("生产登记"))
