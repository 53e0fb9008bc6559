"""The content index says what each leaf records and when (``leaves.kind``, the leaf's time).

Existing rows are rebuilt from the leaves, as ``chengxin log reindex`` does: the index is never
a source of truth, and rebuilding it is one pass over the leaves (an update per row would
rewrite every row as well, and look each one up).
"""

from typing import Any

from django.db import migrations, models

from chengxin.ledger import leaves

_BATCH = 10_000


def rebuild_index(apps: Any, schema_editor: Any) -> None:
    log_entry = apps.get_model("ledger", "LogEntry")
    subject = apps.get_model("ledger", "Subject")
    db = schema_editor.connection.alias
    # PostgreSQL: TRUNCATE leaves no dead row versions behind (tens of millions on a large log).
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(subject._meta.db_table)}")
    else:
        subject.objects.using(db).all().delete()
    rows = []
    integrated = log_entry.objects.using(db).filter(index__isnull=False).order_by("index")
    for index, data in integrated.values_list("index", "data").iterator(chunk_size=5_000):
        rows.extend(
            subject(key=key, leaf_index=index, leaf_kind=kind, leaf_time=at)
            for key, kind, at in leaves.index_entries(leaves.parse_leaf(bytes(data)))
        )
        if len(rows) >= _BATCH:
            subject.objects.using(db).bulk_create(rows)
            rows = []
    subject.objects.using(db).bulk_create(rows)


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
