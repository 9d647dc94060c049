"""Omedelbar justering of a paragraph (KL 5 kap. 69 §, 6 kap. 35 §): at or right after the
meeting one § is justerad at once by the ordförande and the justerare, before the rest of the
protokoll; it then stands as signed, its utdrag is filed for anslag and expediering, and the
protokoll says "Paragrafen förklarades omedelbart justerad"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from arenden.dokument import services as dokument
from arenden.models import Arende, Handling, Paragrafjustering, Punkt
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import sista_dag
from tests import factories
from tests.test_sammantraden import both, pdf_text, stored
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history

pytestmark = pytest.mark.django_db

OMEDELBART = "Paragrafen förklarades omedelbart justerad"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    mote = Mote(cast_for("HSN")).till("kallat")
    mote.besluta()
    return mote


def test_a_paragraph_is_justerad_at_once_by_ordforande_and_justerare(mote):
    punkt = mote.arendepunkt
    protokoll.justera_paragraf(punkt, user=mote.ordforande_user)
    punkt.refresh_from_db()
    assert punkt.omedelbart_justerad is None
    protokoll.justera_paragraf(punkt, user=mote.justerare_user)
    punkt.refresh_from_db()
    assert punkt.omedelbart_justerad is not None
    # its utdrag is filed in the ärende at once, not marked "Ej justerat"
    [utdrag] = mote.arende.handlingar.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG)
    text = pdf_text(stored(utdrag))
    assert OMEDELBART in text and "Ej justerat" not in text
    # the rest of the protokoll is not justerat
    assert mote.las_om().justerat is None
    for text in both(dokument.protokoll(mote.las_om())):
        assert OMEDELBART in text and "Ej justerat" in text
    steg = [h.transition for h in history(mote.las_om())][-2:]
    assert steg == ["justera_paragraf", "justera_paragraf"]
    assert OMEDELBART in history(mote.las_om()).last().comment


def test_a_paragraph_justerad_at_once_is_not_changed_any_more(mote):
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    with pytest.raises(PermissionDenied, match="förklarades omedelbart justerad"):
        mote.besluta()
    with pytest.raises(PermissionDenied, match="förklarades omedelbart justerad"):
        protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=mote.sek)
    # the rest of the meeting goes on: drawn up and justerat as usual
    mote.uppratta()
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    assert mote.las_om().state == "justerat"


def test_only_the_ordforande_and_justerare_and_only_a_decided_item(mote):
    for user in (mote.sek, mote.ledamot_user, mote.cast.revisor):
        with pytest.raises(PermissionDenied, match="Bara ordföranden och justerarna"):
            protokoll.justera_paragraf(mote.arendepunkt, user=user)
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.ordforande_user)
    with pytest.raises(PermissionDenied, match="var och en en gång"):
        protokoll.justera_paragraf(mote.arendepunkt, user=mote.ordforande_user)
    utan = mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik="Övrigt", slag=Punkt.Slag.BESLUTSARENDE)
    with pytest.raises(ValidationError, match="har inget beslut att justera"):
        protokoll.justera_paragraf(utan, user=mote.ordforande_user)
    assert Paragrafjustering.objects.count() == 1


def test_not_once_the_protokoll_is_justerat():
    mote = Mote(cast_for("HSN")).till("justerat")
    with pytest.raises((ValidationError, PermissionDenied)):
        protokoll.justera_paragraf(mote.arendepunkt, user=mote.ordforande_user)


def test_the_meeting_page_offers_it_to_the_justerare_and_refuses_others(mote):
    url = f"/punkt/{mote.arendepunkt.pk}/justera-omedelbart/"
    sek = Client()
    sek.force_login(mote.sek)
    assert (
        "justera-omedelbart" not in sek.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    )
    svar = sek.post(url, factories.fran_motessidan(mote.sammantrade), follow=True)
    assert svar.status_code == 200 and "Bara ordföranden och justerarna" in svar.content.decode()
    assert Client().post(url).status_code == 302  # to the login page
    for user in (mote.ordforande_user, mote.justerare_user):
        klient = Client()
        klient.force_login(user)
        assert url in klient.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
        assert klient.post(url, factories.fran_motessidan(mote.sammantrade)).status_code == 302
    sida = sek.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    assert OMEDELBART in sida
    assert Paragrafjustering.objects.count() == 2


# -- its own anslag (KL 8 kap. 12 §, 13 kap. 5 §) ---------------------------------------------


def anslagstavla() -> str:
    return Client().get("/anslagstavla/").content.decode()


def test_a_paragraph_justerad_at_once_is_anslagen_on_its_own(mote, django_assert_num_queries):
    Client().get("/anslagstavla/")
    with django_assert_num_queries(4):  # kungörelser, inställda, anslagna protokoll, paragrafer
        assert "Inga omedelbart justerade paragrafer är anslagna." in anslagstavla()
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.ordforande_user)
    assert "Inga omedelbart justerade paragrafer är anslagna." in anslagstavla()
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.justerare_user)
    punkt = Punkt.objects.get(pk=mote.arendepunkt.pk)
    idag = timezone.localdate()
    assert punkt.anslaget == idag
    sista = sista_dag(idag + datetime.timedelta(days=21))
    assert punkt.overklagande_senast == sista
    sida = anslagstavla()
    rad = sida.split("Omedelbart justerade paragrafer")[-1]
    assert mote.arende.arendemening in rad
    assert f"<td>{idag:%Y-%m-%d}</td>" in rad and f"<td>{sista:%Y-%m-%d}</td>" in rad
    # the rest of the protokoll is not justerat and not on the anslagstavla
    assert "Inga anslagna protokoll." in sida
    assert "Aktuellt" not in sida
    # the history says when it was anslagen and until when it may be överklagad
    kommentar = history(mote.las_om()).last().comment
    assert f"anslogs på anslagstavlan {idag:%Y-%m-%d}" in kommentar
    assert f"sista dag för överklagande är {sista:%Y-%m-%d}" in kommentar
    # cost does not grow with the number of paragraphs on the board
    with django_assert_num_queries(4):
        anslagstavla()


def test_a_secret_paragraph_is_anslagen_masked(mote):
    Arende.objects.filter(pk=mote.arende.pk).update(sekretess_lagrum="OSL 25 kap. 1 §")
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    rad = anslagstavla().split("Omedelbart justerade paragrafer")[-1]
    assert "Sekretess enligt OSL 25 kap. 1 §" in rad
    assert mote.arende.arendemening not in rad


def test_the_anslag_comes_down_when_the_time_for_overklagande_has_run_out(mote):
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    punkt = Punkt.objects.get(pk=mote.arendepunkt.pk)
    assert mote.arende.arendemening in anslagstavla().split("Omedelbart justerade")[-1]
    Punkt.objects.filter(pk=punkt.pk).update(anslaget=punkt.anslaget - datetime.timedelta(days=40))
    assert mote.arende.arendemening not in anslagstavla().split("Omedelbart justerade")[-1]
