"""The whole justerat protokoll is filed as a fixed document of the sammanträde, also when the
meeting has no diarieärende (TF 2 kap. 10 §: a protokoll is upprättat when justerat): rendered
once as PDF and stored with its SHA-256, downloadable as stored from the meeting page and the
anslagstavla; a rättelse in effect (FL 36 §) files a new version and keeps the old one."""

import hashlib

import pytest
from django.test import Client

from arenden.models import Protokollfil
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import pdf_text
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db

TEXT = "Beslutet avser 2026 års riktlinjer, inte 2025 års."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stored(rad) -> bytes:
    with rad.fil.open("rb") as fil:
        return fil.read()


def hamtat(svar) -> bytes:
    return b"".join(svar.streaming_content)


def klient(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_justerat_protokoll_of_a_meeting_without_an_arende_is_filed_once():
    mote = Mote(cast_for("HSN")).till("borjat_justeras")
    assert mote.sammantrade.arende_id is None
    assert not Protokollfil.objects.exists()
    mote.justera(mote.justerare_user)
    [rad] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    innehall = stored(rad)
    assert rad.version == 1 and hashlib.sha256(innehall).hexdigest() == rad.sha256
    assert protokoll.protokollfil_ar_intakt(rad)
    text = pdf_text(innehall)
    assert "Protokoll" in text and "Ej justerat" not in text

    # the meeting page links it; the download is the stored file, byte for byte
    sida = klient(mote.sek).get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    assert f"/sammantrade/{mote.sammantrade.pk}/protokoll-1.pdf" in sida and rad.sha256 in sida
    svar = klient(mote.cast.revisor).get(f"/sammantrade/{mote.sammantrade.pk}/protokoll-1.pdf")
    assert svar.status_code == 200 and hamtat(svar) == innehall
    assert svar["X-Checksum-SHA256"] == rad.sha256


def test_the_anslagstavla_serves_the_filed_protokoll():
    mote = Mote(cast_for("HSN")).till("anslaget")
    [rad] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    tavla = Client().get("/anslagstavla/").content.decode()
    assert f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf" in tavla
    svar = Client().get(f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf")
    assert svar.status_code == 200 and hamtat(svar) == stored(rad)


def test_a_rattelse_in_effect_files_a_new_version_and_keeps_the_old():
    mote = Mote(cast_for("HSN")).till("anslaget")
    [forsta] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    fore = stored(forsta)
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    # not in effect yet: nothing new filed
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade).count() == 1
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    ny, gammal = Protokollfil.objects.filter(sammantrade=mote.sammantrade).order_by("-version")
    assert (ny.version, ny.rattelse, gammal.pk) == (2, rattelse, forsta.pk)
    assert stored(gammal) == fore and protokoll.protokollfil_ar_intakt(gammal)
    assert TEXT not in pdf_text(fore) and TEXT in pdf_text(stored(ny))
    svar = Client().get(f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf")
    assert hamtat(svar) == stored(ny)
    sek = klient(mote.sek)
    assert hamtat(sek.get(f"/sammantrade/{mote.sammantrade.pk}/protokoll-1.pdf")) == fore


def test_downloads_are_refused_to_those_who_may_not_read_the_meeting():
    mote = Mote(cast_for("HSN")).till("justerat")
    url = f"/sammantrade/{mote.sammantrade.pk}/protokoll-1.pdf"
    assert Client().get(url).status_code == 302  # to the login page
    assert klient(factories.user("utomstaende")).get(url).status_code == 403
    assert (
        klient(mote.sek).get(f"/sammantrade/{mote.sammantrade.pk}/protokoll-7.pdf").status_code
        == 404
    )
    assert klient(mote.sek).get("/sammantrade/999999/protokoll-1.pdf").status_code == 404


def test_an_open_item_with_a_secret_bilaga_is_masked_in_the_anslagstavla_protokoll():
    """The item is open, only its bilaga is secret: the protokoll the public reads names the
    bilaga by its marking, never by its title (OSL 5 kap. 5 §). The masking code decides
    what is secret, so the masked version is filed whenever it differs from the full one."""
    mote = Mote(cast_for("HSN"))
    factories.hemlig_bilaga(mote.arendepunkt, mote.cast.registrator)
    mote.till("anslaget")
    filer = {f.publik: f for f in Protokollfil.objects.filter(sammantrade=mote.sammantrade)}
    assert set(filer) == {False, True}
    assert "patient NN" in pdf_text(stored(filer[False]))  # the record keeps the title
    svar = Client().get(f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf")
    text = pdf_text(hamtat(svar))
    assert "patient NN" not in text and "Sekretess (OSL 25 kap. 1 §)" in text


def test_an_arende_marked_secret_after_the_filing_is_masked_where_the_whole_file_was_served():
    """Nothing on the agenda was secret when the protokoll was justerat, so only the whole
    file was filed. Later the ärende of an item is marked secret (OSL 5 kap. 5 §): the public
    and a reader who may not read it no longer get the whole file, but the protokoll masked as
    it reads now; who may read it all still gets the file as stored, byte for byte."""
    mote = Mote(cast_for("HSN")).till("anslaget")
    [rad] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    rubrik = mote.arende.arendemening
    assert rubrik in pdf_text(stored(rad))
    mote.hemligt()
    svar = Client().get(f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf")
    text = pdf_text(hamtat(svar) if hasattr(svar, "streaming_content") else svar.content)
    assert rubrik not in text and "Sekretess enligt OSL 25 kap. 1 §" in text
    url = f"/sammantrade/{mote.sammantrade.pk}/protokoll-1.pdf"
    svar = klient(mote.cast.registrator).get(url)  # reads the meeting, not the secret item
    assert svar.status_code == 200
    text = pdf_text(hamtat(svar) if hasattr(svar, "streaming_content") else svar.content)
    assert rubrik not in text
    svar = klient(mote.cast.revisor).get(url)
    assert hamtat(svar) == stored(rad)
