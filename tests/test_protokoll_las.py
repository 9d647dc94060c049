"""On PostgreSQL the database keeps a justerat protokoll as it was signed: the administrator's
pages or raw SQL from the application's connection cannot add a särskilt yttrande, change a
beslut, mark a member absent or move the meeting; the sammanträde still moves on to anslag,
and a rättelse is still written beside the protokoll."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from arenden.models import Deltagare, Punkt, Sammantrade, Yttrande
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def nekas(andring):
    with pytest.raises(DatabaseError, match="protokollet är justerat"), transaction.atomic():
        andring()


def test_a_justerat_protokoll_cannot_be_altered_in_the_database():
    mote = Mote(cast_for("HSN")).till("justerat")
    s, punkt = mote.sammantrade, mote.arendepunkt
    nekas(lambda: Punkt.objects.filter(pk=punkt.pk).update(beslut="Något annat."))
    nekas(
        lambda: Yttrande.objects.create(
            punkt=punkt, typ=Yttrande.Typ.SARSKILT_YTTRANDE, avgivet_av="X", text="Tillägg"
        )
    )
    nekas(lambda: Deltagare.objects.filter(sammantrade=s).update(narvarande=False))
    nekas(lambda: Deltagare.objects.filter(pk=mote.deltagare(mote.annan).pk).delete())
    nekas(lambda: mote.deltagare(mote.annan).franvarande_pa.add(punkt))
    nekas(lambda: Sammantrade.objects.filter(pk=s.pk).update(plats="Någon annanstans"))
    nekas(lambda: Sammantrade.objects.filter(pk=s.pk).update(datum=datetime.date(2025, 11, 13)))
    with connection.cursor() as cursor:
        nekas(
            lambda: cursor.execute(
                "DELETE FROM arenden_justering WHERE sammantrade_id = %s", [s.pk]
            )
        )
    # what the meeting's lifecycle still does: anslag, and a rättelse beside it
    factories.ansla_den(s, user=mote.sek, dag=datetime.date(2025, 11, 19))
    protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text="Fel stavning i § 1."
    )
    s = mote.las_om()
    assert (s.state, s.rattelser.count()) == ("anslaget", 1)


def test_before_justering_the_protokoll_is_written_freely():
    mote = Mote(cast_for("HSN")).till("genomfort")
    Punkt.objects.filter(pk=mote.arendepunkt.pk).update(beskrivning="Rättat före justering.")
    assert Punkt.objects.get(pk=mote.arendepunkt.pk).beskrivning == "Rättat före justering."


def test_the_voteringslista_and_an_omedelbar_justering_are_kept_as_signed():
    from arenden.models import Paragrafjustering, Rost

    mote = Mote(cast_for("HSN")).till("kallat")
    roster = {
        mote.ordforande: "ja",
        mote.justerare: "ja",
        mote.ledamot: "nej",
        mote.annan: "avstar",
    }
    votering = protokoll.registrera_votering(
        mote.arendepunkt,
        user=mote.sek,
        proposition="Bifall mot avslag",
        resultat="Bifall.",
        roster=roster,
    )
    mote.besluta()
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    mote.uppratta()
    for user in (mote.ordforande_user, mote.justerare_user):
        mote.justera(user)
    nekas(lambda: Rost.objects.filter(votering=votering).update(rost="nej"))
    nekas(lambda: Rost.objects.filter(votering=votering, person=mote.annan).delete())
    nekas(lambda: Paragrafjustering.objects.filter(punkt=mote.arendepunkt).delete())
    assert Rost.objects.filter(votering=votering, rost="ja").count() == 2
