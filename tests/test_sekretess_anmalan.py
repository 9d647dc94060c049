"""A motion or medborgarförslag marked secret after the anmälan of motioner named it (KL 5
kap. 35 §) is masked in every copy of the meeting's documents, as an item's own ärende or a
bilaga is: the standing item's text named it in full in the kallelse and in a protokoll filed
before the marking. Before, nothing that decides what of a meeting is secret looked at the
motions an anmälan lists, so the stored protokoll was served as filed, to the public on the
anslagstavla and to the registrator, and its words stayed in the search."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.dokument import services as dokument
from arenden.models import Handling, Organ, Punkt, Sekretessatkomst
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_motion import STOCKHOLM, i_beredning, klocka, motion  # noqa: F401 - fixture
from tests.test_sammantraden_regler import Mote
from tests.test_sekretess_jakt import _text

pytestmark = pytest.mark.django_db

NAMN = "Zlatanovic"
LAGRUM = "OSL 26 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _las(user, url) -> str:
    klient = Client()
    if user is not None:
        klient.force_login(user)
    svar = klient.get(url)
    assert svar.status_code == 200, url
    return _text(svar).replace(f'value="{NAMN}"', "")  # the search box echoes the word


@pytest.fixture
def anslaget(klocka, django_capture_on_commit_callbacks):  # noqa: F811
    """Fullmäktige's meeting, anslaget, whose anmälan of motioner names a medborgarförslag
    about a private person's home; the förslag is then marked secret."""
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
    klocka(datetime.date(2025, 11, 12), 13)
    with django_capture_on_commit_callbacks(execute=True):
        mote.besluta()
        protokoll.besluta(
            mote.info, user=mote.sek, utfall="information", beslut="Informationen noteras."
        )
        protokoll.besluta(
            anmalan, user=mote.sek, utfall="information", beslut="Läggs till handlingarna."
        )
        mote.uppratta()
    klocka(datetime.date(2025, 11, 19))
    with django_capture_on_commit_callbacks(execute=True):
        tid = datetime.datetime.combine(datetime.date(2025, 11, 18), datetime.time(10), STOCKHOLM)
        mote.justera(mote.ordforande_user, tid)
        mote.justera(mote.justerare_user, tid)
        protokoll.ansla(mote.sammantrade, user=mote.sek, dag=datetime.date(2025, 11, 19))
    s = mote.sammantrade
    assert NAMN in _las(None, reverse("arenden:publicerat_protokoll", args=[s.pk, "pdf"]))
    # marked a day later than the filing, which is dated by the real clock (Arkivering)
    klocka(datetime.date.today() + datetime.timedelta(days=1))
    i_beredning(cast, forslag)
    with django_capture_on_commit_callbacks(execute=True):
        diarium_services.andra_sekretess(
            forslag,
            user=cast.handlaggare,
            lagrum=LAGRUM,
            motivering="Enskilds förhållanden.",
            offentlig_rubrik="Medborgarförslag om boende",
        )
    return cast, mote, moteslista, anmalan


def test_the_public_reads_the_protokoll_masked(anslaget):
    _cast, mote, _lista, _anmalan = anslaget
    s = mote.sammantrade
    for format in ("pdf", "docx"):
        text = _las(None, reverse("arenden:publicerat_protokoll", args=[s.pk, format]))
        assert NAMN not in text and "Medborgarförslag om boende" in text


def test_the_registrator_reads_every_copy_masked_and_the_search_forgets_it(anslaget):
    cast, mote, lista, anmalan = anslaget
    s = mote.sammantrade
    assert anmalan.sekretessgrunder() == {LAGRUM}
    urls = [
        reverse("arenden:sammantrade", args=[s.pk]),
        reverse("arenden:sammantrade_tidslinje", args=[s.pk]),
        reverse("arenden:mote_protokollfil", args=[s.pk, 1]),
        reverse("arenden:mote_dokument", args=[s.pk, "protokoll", "pdf"]),
        reverse("arenden:sok") + f"?q={NAMN}",
    ] + [
        reverse("arenden:handling_fil", args=[h.pk]) for h in Handling.objects.filter(arende=lista)
    ]
    assert [url for url in urls if NAMN in _las(cast.registrator, url)] == []


def test_who_may_read_the_forslag_still_reads_the_protokoll_as_filed(anslaget):
    cast, mote, _lista, _anmalan = anslaget
    forslag = _anmalan.anmalda_motioner.get().arende
    assert cast.handlaggare.has_perm("arenden.view_sekretess", forslag)
    assert mote.sek.has_perm("arenden.view_sekretess", forslag) is False
    allt = dokument.med_allt(mote.sammantrade)
    deltagare = list(allt.deltagare.all())
    assert not protokoll.maskeras_for(cast.handlaggare, allt.punkter.all(), deltagare)
    assert protokoll.maskeras_for(mote.sek, allt.punkter.all(), deltagare)


def test_a_whole_copy_read_by_who_may_is_logged_as_a_read_of_the_motion(anslaget):
    cast, mote, _lista, anmalan = anslaget
    forslag = anmalan.anmalda_motioner.get().arende
    klient = Client()
    klient.force_login(cast.revisor)
    svar = klient.get(reverse("arenden:mote_protokollfil", args=[mote.sammantrade.pk, 1]))
    assert svar.status_code == 200
    assert Sekretessatkomst.objects.filter(
        anvandare=cast.revisor, arende=forslag, vad=Sekretessatkomst.Vad.DOKUMENT
    ).exists()
