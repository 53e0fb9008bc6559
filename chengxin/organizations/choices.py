from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGULATOR = "regulator", _("市场监管部门")
    MANUFACTURER = "manufacturer", _("生产企业")
    PATTERN_EVALUATION = "pattern_evaluation", _("型式评价机构")
    VERIFICATION = "verification", _("计量检定机构")
    MARKET_OPERATOR = "market_operator", _("市场开办者")
    REPAIRER = "repairer", _("修理单位")


class Role(models.TextChoices):
    """What a user may do inside their organisation."""

    ADMIN = "admin", _("管理员")
    STAFF = "staff", _("工作人员")
    INSPECTOR = "inspector", _("检查员")
    VERIFIER = "verifier", _("检定员")
    CHECKER = "checker", _("核验员")
    APPROVER = "approver", _("批准人")
    REPAIRER = "repairer", _("维修人员")


class InstrumentKind(models.TextChoices):
    PRICE_COMPUTING_SCALE = "price_computing_scale", _("电子计价秤")
    TRACEABILITY_SCALE = "traceability_scale", _("追溯秤")
    FAIR_SCALE = "fair_scale", _("公平秤")


class AuthorisationKind(models.TextChoices):
    VERIFICATION = "verification", _("计量检定授权")
    REPAIR = "repair", _("修理授权")
