"""The content index says what each leaf records and when (``leaves.kind``, the leaf's time).

Existing rows are rebuilt from the leaves by what ``chengxin log reindex`` runs: the index is
never a source of truth, and rebuilding it is one pass over the leaves (an update per row would
rewrite every row as well, and look each one up).
"""

from typing import Any

from django.db import migrations, models

from chengxin.ledger.services import content_index_rebuild


def rebuild_index(apps: Any, schema_editor: Any) -> None:
    content_index_rebuild(
        apps.get_model("ledger", "LogEntry"),
        apps.get_model("ledger", "Subject"),
        schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_witnessstate_checkpoint_cosignatures"),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="leaf_kind",
            field=models.CharField(default="", max_length=96, verbose_name="记录类别"),
        ),
        migrations.AddField(
            model_name="subject",
            name="leaf_time",
            field=models.DateTimeField(null=True, verbose_name="记录时间"),
        ),
        migrations.RunPython(rebuild_index, migrations.RunPython.noop, elidable=True),
    ]
