from django.db import models
from django.utils.translation import gettext_lazy as _


class AccuracyClass(models.TextChoices):
    I = "I", _("I 特种准确度")  # noqa: E741
    II = "II", _("II 高准确度")
    III = "III", _("III 中准确度")
    IIII = "IIII", _("IIII 普通准确度")


class TypeApprovalStatus(models.TextChoices):
    VALID = "valid", _("有效")
    NOT_FOR_NEW = "not_for_new", _("停止用于新产品")
    WITHDRAWN = "withdrawn", _("撤销（所有器具）")


class ScaleState(models.TextChoices):
    MANUFACTURED = "manufactured", _("已生产")
    IN_STOCK = "in_stock", _("库存")
    SOLD = "sold", _("已销售")
    REGISTERED = "registered", _("已登记")
    IN_SERVICE = "in_service", _("在用")
    OVERDUE = "overdue", _("超期未检")
    LOCKED = "locked", _("已锁机")
    REPAIRED = "repaired", _("修理后待检")
    REJECTED = "rejected", _("检定不合格")
    RETIRED = "retired", _("停用")
    SCRAPPED = "scrapped", _("报废")
    SEIZED = "seized", _("查封扣押")
    DESTROYED = "destroyed", _("销毁")
