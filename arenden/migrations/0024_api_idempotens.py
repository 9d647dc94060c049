# The answers of creating API calls sent with an Idempotency-Key (issue 16).

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0023_oidc_identitet'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiIdempotens',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nyckel', models.CharField(max_length=255, verbose_name='nyckel')),
                ('begaran', models.CharField(max_length=64, verbose_name='begäran (SHA-256)')),
                ('metod', models.CharField(max_length=10, verbose_name='metod')),
                ('adress', models.CharField(max_length=500, verbose_name='adress')),
                ('status', models.PositiveSmallIntegerField(verbose_name='svarets status')),
                ('svar', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='svaret')),
                ('skapad', models.DateTimeField(auto_now_add=True, verbose_name='skapad')),
                ('anvandare', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'idempotensnyckel',
                'verbose_name_plural': 'idempotensnycklar',
                'constraints': [models.UniqueConstraint(fields=('anvandare', 'nyckel'), name='api_nyckel_per_konto')],
            },
        ),
    ]
