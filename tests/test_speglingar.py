"""Who was absent from which item, and an item's bilagor, decide what the protokoll says
(who served, whether the organ could decide, KL 5 kap. 45 §; what it holds). Both are
many-to-many relations with no field history of their own, mirrored into a field of the
row's signed history whenever the system changes them. A row put in the relation's table
beside the system changed the protokoll and every check passed; the whole check of the
history now compares each relation with its mirror (arenden.granskning.speglingar)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from arenden.diarium.services import lagg_till_handling
from arenden.models import Deltagare, Handling, Punkt
from arenden.sammantraden.models import DELTAR_I
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.history import verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def avvikelser() -> list[tuple[str, int, str]]:
    return [(r.model_label, r.object_id, r.reason) for r in verify().live]


@pytest.fixture
def mote():
    """Kallat and decided; the protokoll not yet drawn up (on PostgreSQL the protokoll's
    tables are locked from the justering)."""
    mote = Mote(cast_for("HSN"))
    mote.kalla()
    mote.besluta()
    return mote


def _justera(mote):
    tid = timezone.make_aware(
        datetime.datetime.combine(mote.sammantrade.datum, datetime.time(10))
    ) + datetime.timedelta(days=7)
    mote.uppratta()
    mote.justera(mote.ordforande_user, tid)
    mote.justera(mote.justerare_user, tid)


def _in(tabell: str, kolumner: str, varden: list) -> None:
    with connection.cursor() as cursor:  # as the tables' owner could
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(tabell)} ({kolumner}) VALUES (%s, %s)",
            varden,
        )


def test_what_the_system_records_agrees(mote):
    assert avvikelser() == []
    _justera(mote)
    assert avvikelser() == []


def test_an_absence_written_beside_the_system_is_found(mote):
    punkt = mote.arendepunkt
    justerare = mote.deltagare(mote.justerare)
    _in(
        Deltagare.franvarande_pa.through._meta.db_table,
        "deltagare_id, punkt_id",
        [justerare.pk, punkt.pk],
    )
    narvaro = list(mote.sammantrade.deltagare.prefetch_related(*DELTAR_I))
    punkt = Punkt.objects.prefetch_related("jav").get(pk=punkt.pk)
    assert not next(d for d in narvaro if d.pk == justerare.pk).deltar_i(punkt)  # the effect
    assert avvikelser() == [
        (
            "arenden.deltagare",
            justerare.pk,
            f"frånvaron ({punkt.ordning}) är inte vad radens historik säger (–): ändrat i "
            "databasen utan att historiken skrevs",
        )
    ]
    with pytest.raises(CommandError, match="1 rader som gäller nu avviker"):
        call_command("verify_history")


def test_a_bilaga_written_beside_the_system_is_found(mote):
    punkt = mote.arendepunkt
    handling = lagg_till_handling(
        mote.arende,
        user=mote.cast.registrator,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Skrivelse som aldrig var bilaga",
    )
    _in(Punkt.bilagor.through._meta.db_table, "punkt_id, handling_id", [punkt.pk, handling.pk])
    [(label, pk, skal)] = avvikelser()
    assert (label, pk) == ("arenden.punkt", punkt.pk)
    assert skal.startswith(f"bilagorna ({handling.beteckning}) är inte vad radens historik")
