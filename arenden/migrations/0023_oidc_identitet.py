# An account's identity at an OpenID Connect provider: the ID token's iss and sub (issue 16).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0021_utskick'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OidcIdentitet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('utfardare', models.CharField(max_length=255, verbose_name='utfärdare (iss)')),
                ('subjekt', models.CharField(max_length=255, verbose_name='subjekt (sub)')),
                ('kopplad', models.DateTimeField(auto_now_add=True, verbose_name='kopplad')),
                ('senast', models.DateTimeField(auto_now=True, verbose_name='senaste inloggning')),
                ('anvandare', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='oidc_identiteter', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
            ],
            options={
                'verbose_name': 'identitet hos identitetsleverantör',
                'verbose_name_plural': 'identiteter hos identitetsleverantörer',
                'constraints': [models.UniqueConstraint(fields=('utfardare', 'subjekt'), name='oidc_en_identitet')],
            },
        ),
    ]
