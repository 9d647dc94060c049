# The full name of who made a sekretess marking fits: first and last name, 150 characters each
# (OSL 5 kap. 5 §); a gallringsfrist is at most 200 years.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0068_arkivering_forsok'),
    ]

    operations = [
        migrations.AlterField(
            model_name='arende',
            name='sekretess_markerad_av',
            field=models.CharField(blank=True, max_length=301, verbose_name='sekretessmarkerat av'),
        ),
        migrations.AlterField(
            model_name='handling',
            name='sekretess_markerad_av',
            field=models.CharField(blank=True, max_length=301, verbose_name='sekretessmarkerad av'),
        ),
        migrations.AlterField(
            model_name='historicalarende',
            name='sekretess_markerad_av',
            field=models.CharField(blank=True, max_length=301, verbose_name='sekretessmarkerat av'),
        ),
        migrations.AlterField(
            model_name='historicalhandling',
            name='sekretess_markerad_av',
            field=models.CharField(blank=True, max_length=301, verbose_name='sekretessmarkerad av'),
        ),
        migrations.AlterField(
            model_name='bevarande',
            name='gallringsfrist_ar',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(200, 'En gallringsfrist kan vara högst %(limit_value)s år; bevara i stället.')], verbose_name='gallras efter (år)'),
        ),
        migrations.AlterField(
            model_name='historicalbevarande',
            name='gallringsfrist_ar',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(200, 'En gallringsfrist kan vara högst %(limit_value)s år; bevara i stället.')], verbose_name='gallras efter (år)'),
        ),
    ]
