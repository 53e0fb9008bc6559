from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationKind(models.TextChoices):
    INITIAL = "initial", _("首次检定")
    SUBSEQUENT = "subsequent", _("后续检定")
    AFTER_REPAIR = "after_repair", _("修理后检定")
    IN_SERVICE = "in_service", _("使用中检查")


class VerificationResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class TestKind(models.TextChoices):
    ZERO = "zero", _("置零")
    INCREASING = "increasing", _("加载")
    DECREASING = "decreasing", _("卸载")
    ECCENTRICITY = "eccentricity", _("偏载")
    REPEATABILITY = "repeatability", _("重复性")
    TARE = "tare", _("去皮")
    PRICE = "price", _("计价")
