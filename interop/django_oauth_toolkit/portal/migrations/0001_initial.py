import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = (migrations.swappable_dependency(settings.AUTH_USER_MODEL),)

    operations = (
        migrations.CreateModel(
            name="Citizen",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("full_name", models.CharField(max_length=200)),
                ("level", models.PositiveSmallIntegerField(
                    choices=[(1, "Mức 1"), (2, "Mức 2")], default=1)),
                ("user", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, related_name="citizen",
                    to=settings.AUTH_USER_MODEL)),
            ],
        ),
    )
