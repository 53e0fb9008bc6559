from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "chengxin.ledger"
    label = "ledger"
    verbose_name = _("透明日志")

    def ready(self) -> None:
        from chengxin.core.changes import on_change_records

        from . import sequencer, services

        on_change_records(services.log_append_change_records)
        sequencer.start_in_process()  # Only under runserver/gunicorn with the embedded setting.
