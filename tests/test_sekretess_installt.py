"""A motion or medborgarförslag that an anmälan of motioner named (KL 5 kap. 35 §) on a
meeting that was then inställt, and that is marked secret afterwards, is masked in that
meeting's documents and timeline as it is in a meeting that was held: the struck item still
holds its mening as the kallelse said it. Before, the *Ställ in* untied the motion from the
item so that it could be anmäld at the next meeting, and with the tie went all that knew the
item named it: the registrator read its mening in the cancelled meeting's föredragningslista
and timeline, and nothing marked or logged it. The motion is still anmäld at the next
meeting."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.dokument import harledd
from arenden.granskning import speglingar
from arenden.models import Handling, Motion, Organ, Punkt, Sekretessatkomst
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_motion import i_beredning, klocka, motion  # noqa: F401 - fixture
from tests.test_sammantraden_regler import Mote
from tests.test_sekretess_anmalan import LAGRUM, NAMN, _las

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def installt(klocka, django_capture_on_commit_callbacks):  # noqa: F811
    """Fullmäktige's meeting, kallat, whose anmälan of motioner names a medborgarförslag
    about a private person's home; the meeting is inställt, and the förslag is then marked
    secret."""
    factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    cast = factories.Cast("KF")
    forslag = motion(
        cast,
        datetime.date(2024, 12, 1),
        f"Medborgarförslag om {NAMN}s boende",
        typ="medborgarforslag",
    )
    moteslista = cast.registrera("Sammanträden 2025")
    with django_capture_on_commit_callbacks(execute=True):
        mote = Mote(cast, datetime.date(2025, 11, 12))
        mote.sammantrade.arende = moteslista
        mote.sammantrade.save(update_fields=["arende"])
        mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER)
    s = mote.sammantrade
    assert NAMN in _las(cast.registrator, reverse("arenden:sammantrade_tidslinje", args=[s.pk]))
    # inställt and marked a day later than the filing, which is dated by the real clock
    # (Arkivering), as the mirror of the struck motioner is judged since its migration
    klocka(datetime.date.today() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        protokoll.installa(s, user=mote.sek, skal="Ordföranden är sjuk.")
    i_beredning(cast, forslag)
    with django_capture_on_commit_callbacks(execute=True):
        diarium_services.andra_sekretess(
            forslag,
            user=cast.handlaggare,
            lagrum=LAGRUM,
            motivering="Enskilds förhållanden.",
            offentlig_rubrik="Medborgarförslag om boende",
        )
    anmalan.refresh_from_db()
    return cast, mote, moteslista, anmalan, forslag


def test_the_struck_anmalan_still_carries_the_secrecy_of_what_it_named(installt):
    _cast, mote, _lista, anmalan, forslag = installt
    assert anmalan.struken is not None
    assert anmalan.sekretessgrunder() == {LAGRUM}
    assert protokoll.sekretess_i(mote.sammantrade) == LAGRUM


def test_the_registrator_reads_the_cancelled_meeting_masked(installt):
    cast, mote, lista, _anmalan, _forslag = installt
    s = mote.sammantrade
    assert not cast.registrator.has_perm("arenden.view_sekretess", _forslag)
    urls = [
        reverse("arenden:sammantrade", args=[s.pk]),
        reverse("arenden:sammantrade_tidslinje", args=[s.pk]),
        reverse("arenden:sok") + f"?q={NAMN}",
    ]
    # (it has no protokoll: tests/test_installt_mote.py)
    for format in ("pdf", "docx"):
        urls.append(reverse("arenden:mote_dokument", args=[s.pk, "kallelse", format]))
    urls += [
        reverse("arenden:handling_fil", args=[h.pk]) for h in Handling.objects.filter(arende=lista)
    ]
    assert [url for url in urls if NAMN in _las(cast.registrator, url)] == []


def test_who_may_read_the_forslag_reads_it_whole_and_the_read_is_logged(installt):
    cast, mote, _lista, anmalan, forslag = installt
    s = mote.sammantrade
    deltagare = list(protokoll.narvaron(s))
    assert protokoll.far_lasa_allt(cast.revisor, anmalan, deltagare)
    assert not protokoll.far_lasa_allt(cast.registrator, anmalan, deltagare)
    url = reverse("arenden:mote_dokument", args=[s.pk, "kallelse", "pdf"])
    _las(cast.revisor, url)
    _las(cast.registrator, url)
    assert Sekretessatkomst.objects.filter(
        anvandare=cast.revisor, arende=forslag, vad=Sekretessatkomst.Vad.DOKUMENT
    ).exists()
    assert not Sekretessatkomst.objects.filter(anvandare=cast.registrator).exists()


def test_the_derived_marking_finds_the_cancelled_meeting(installt):
    _cast, mote, _lista, _anmalan, forslag = installt
    *_, moten, _pks = harledd.att_marka(forslag)
    assert mote.sammantrade.pk in {m.pk for m in moten}


def test_the_forslag_is_anmalt_at_the_next_meeting(installt):
    cast, mote, _lista, anmalan, forslag = installt
    nasta = Mote(cast, datetime.date.today() + datetime.timedelta(days=14))
    nasta.kalla()
    [ny] = nasta.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER)
    assert Motion.objects.get(arende=forslag).anmald_punkt == ny
    # and the struck item still names it, once
    assert anmalan.hemliga_anmalda() == [forslag]
    assert ny.hemliga_anmalda() == [forslag]


def test_the_struck_motioner_are_in_the_items_signed_row(installt):
    """A many-to-many keeps no history: which motioner the item named is in the signed row
    that struck it, and a row put in the relation beside the system is found."""
    cast, _mote, _lista, anmalan, forslag = installt
    assert anmalan.strukna_motioner_diarienummer == str(forslag.diarienummer)
    assert anmalan.history.first().strukna_motioner_diarienummer == str(forslag.diarienummer)
    assert speglingar.avvikelser() == []
    annan = motion(cast, datetime.date(2025, 1, 10), "Motion om torget")
    tabell = Punkt.strukna_motioner.through._meta.db_table
    with connection.cursor() as cursor:  # as the tables' owner could
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(tabell)} (punkt_id, motion_id) "
            "VALUES (%s, %s)",
            [anmalan.pk, Motion.objects.get(arende=annan).pk],
        )
    [(label, pk, _n, _rad, skal)] = speglingar.avvikelser()
    assert (label, pk) == ("arenden.punkt", anmalan.pk)
    assert skal.startswith("de strukna motionerna (")


def test_an_item_struck_before_gets_its_motioner_back_from_their_history(installt):
    """Migration 0067: an item struck before it kept its motioner gets them from the
    motioner's signed history, which records the item each was listed under."""
    _cast, _mote, _lista, anmalan, _forslag = installt
    anmalan.strukna_motioner.clear()  # as an item struck before the migration
    assert anmalan.sekretessgrunder() == set()
    importlib.import_module("arenden.migrations.0067_strukna_motioner").fran_historiken(apps, None)
    assert anmalan.sekretessgrunder() == {LAGRUM}
