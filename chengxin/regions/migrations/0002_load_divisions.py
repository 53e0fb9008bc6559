"""Load the GB/T 2260 divisions (current and retired) from the maintained packages."""

from django.db import migrations


def load(apps, schema_editor):
    from chengxin.regions.loader import division_rows

    Division = apps.get_model("regions", "Division")
    Division.objects.bulk_create(
        [
            Division(
                code=row.code,
                name=row.name,
                level=row.level,
                parent_id=row.parent,
                valid_until=row.valid_until,
            )
            for row in division_rows()
        ],
        batch_size=1000,
    )


def unload(apps, schema_editor):
    apps.get_model("regions", "Division").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
