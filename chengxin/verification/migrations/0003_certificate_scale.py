import django.db.models.deletion
from django.db import migrations, models


def fill_scale(apps, schema_editor):
    Certificate = apps.get_model("verification", "Certificate")
    for certificate in Certificate.objects.select_related("verification"):
        certificate.scale_id = certificate.verification.scale_id
        certificate.save(update_fields=["scale"])


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0003_lifecycleevent_created_at_lifecycleevent_updated_at_and_more"),
        ("verification", "0002_import_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="scale",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="instruments.scale",
                verbose_name="电子计价秤",
            ),
        ),
        migrations.RunPython(fill_scale, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="certificate",
            name="scale",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="instruments.scale",
                verbose_name="电子计价秤",
            ),
        ),
    ]
