from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "chengxin.portal"
    label = "portal"
    verbose_name = _("公众查询")

    def ready(self) -> None:
        from chengxin.core.changes import on_change_records
        from chengxin.ledger import services as ledger

        from . import services

        # A scale's public history is written wherever what it shows changes (services).
        on_change_records(services.change_records_written)
        ledger.subjects_written.connect(services.subjects_written, dispatch_uid="portal_history")
