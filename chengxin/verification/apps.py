from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "chengxin.verification"
    label = "verification"
    verbose_name = _("检定")
