"""A filed meeting document is read as what is secret now, not as it was when it was filed
(OSL 5 kap. 5 §). The justerat protokoll's masked copy for the anslagstavla and the kallelse
and protokoll filed as handlingar in the meeting's own ärende were made while an item's ärende
was still open; once that ärende is sekretess-marked, whoever may not read it gets the
document masked as it reads now, and whoever may read it all still gets the filed file. The
filed files are the record and are never changed (TF 2 kap. 10 §)."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from arenden.models import Handling, Protokollfil, Sekretessatkomst
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_protokoll_arkiverat import TEXT
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db

#: the beslut of the ärende item (tests.test_sammantraden_regler.Mote)
BESLUT = "Att anta riktlinjerna"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def klient(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def innehall(svar) -> bytes:
    assert svar.status_code == 200, svar.status_code
    if hasattr(svar, "streaming_content"):
        return b"".join(svar.streaming_content)
    return svar.content


def text(svar) -> str:
    """The PDF's text on one line (line breaks do not split a phrase)."""
    pages = PdfReader(io.BytesIO(innehall(svar))).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def stored(rad) -> bytes:
    with rad.fil.open("rb") as fil:
        return fil.read()


def _med_hemlig_bilaga() -> Mote:
    """A meeting whose open ärende item has a secret bilaga when it is justerat: so a masked
    copy is filed beside the whole protokoll, masking the bilaga, not the item."""
    mote = Mote(cast_for("HSN"))
    factories.hemlig_bilaga(mote.arendepunkt, mote.cast.registrator)
    return mote


def test_the_anslagstavla_no_longer_serves_a_masked_copy_filed_before_an_item_became_secret():
    mote = _med_hemlig_bilaga().till("anslaget")
    filer = {f.publik: f for f in Protokollfil.objects.filter(sammantrade=mote.sammantrade)}
    assert set(filer) == {False, True}
    rubrik = mote.arende.arendemening
    url = f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf"
    # while nothing more is secret, the public gets the masked copy as it was filed
    assert innehall(klient().get(url)) == stored(filer[True])
    fore = {publik: stored(f) for publik, f in filer.items()}

    mote.hemligt()  # the item's ärende is marked secret after the protokoll was filed

    publikt = text(klient().get(url))
    assert rubrik not in publikt and BESLUT not in publikt
    assert "Sekretess enligt OSL 25 kap. 1 §" in publikt
    assert "patient NN" not in publikt  # the bilaga stays masked
    # the registrator reads the meeting, not the secret item: the filed version, masked now
    url_mote = reverse("arenden:mote_protokollfil", args=[mote.sammantrade.pk, 1])
    registrator = text(klient(mote.cast.registrator).get(url_mote))
    assert rubrik not in registrator and BESLUT not in registrator
    # who may read all of it still gets the whole justerat protokoll, byte for byte
    assert innehall(klient(mote.cast.revisor).get(url_mote)) == fore[False]
    assert rubrik in text(klient(mote.cast.revisor).get(url_mote))
    # the filed files are the record: unchanged
    for publik, rad in filer.items():
        rad.refresh_from_db()
        assert stored(rad) == fore[publik] and protokoll.protokollfil_ar_intakt(rad)
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade).count() == 2


def test_an_older_masked_version_is_refused_once_an_item_became_secret_after_it():
    """An earlier version (before a rättelse) has no reading "as it reads now": as for the
    whole file, the masked copy of it is refused, in Swedish, and the current one is offered."""
    mote = _med_hemlig_bilaga().till("anslaget")
    # under the open informationsärende: the rättelse stays public when the ärende item is
    # marked secret
    rattelse = protokoll.foresla_rattelse(mote.las_om(), user=mote.sek, punkt=mote.info, text=TEXT)
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade, publik=True).count() == 2
    gammal = Protokollfil.objects.get(sammantrade=mote.sammantrade, version=1, publik=True)
    rubrik = mote.arende.arendemening
    reg = klient(mote.cast.registrator)
    url = reverse("arenden:mote_protokollfil", args=[mote.sammantrade.pk, 1])
    assert innehall(reg.get(url)) == stored(gammal)  # before the marking: as filed

    mote.hemligt()

    svar = reg.get(url)
    assert svar.status_code == 403
    assert "numera omfattas av sekretess" in svar.content.decode()
    nu = text(reg.get(reverse("arenden:mote_protokollfil", args=[mote.sammantrade.pk, 2])))
    assert rubrik not in nu and BESLUT not in nu and TEXT in nu
    publikt = text(klient().get(f"/anslagstavla/{mote.sammantrade.pk}/protokoll.pdf"))
    assert rubrik not in publikt and TEXT in publikt


def test_kallelse_and_protokoll_in_the_meetings_arende_are_masked_once_an_item_is_secret():
    """Filed while the item was open, so the handlingar carry no marking; the item's ärende is
    marked after: the registrator, who reads the meeting's ärende but not the item, downloads
    them masked (page and API), PDF and Word; the revisor gets the filed files, and the read
    is logged."""
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("anslaget")
    rubrik = mote.arende.arendemening
    filade = list(Handling.objects.filter(arende=moteslista, typ__in=["kallelse", "protokoll"]))
    assert {(h.typ, h.filnamn.rpartition(".")[2]) for h in filade} == {
        ("kallelse", "pdf"),
        ("protokoll", "pdf"),
        ("protokoll", "docx"),
    }
    pdf = [h for h in filade if h.filnamn.endswith(".pdf")]
    reg, revisor = klient(cast.registrator), klient(cast.revisor)
    for h in pdf:  # before the marking: the filed file, to everyone who reads the ärende
        fil = reverse("arenden:handling_fil", args=[h.pk])
        assert rubrik in text(reg.get(fil))

    mote.hemligt()

    for h in filade:
        h.refresh_from_db()
        assert not h.sekretess_lagrum  # the handling itself is not changed
        for url in (reverse("arenden:handling_fil", args=[h.pk]), f"/api/handlingar/{h.pk}/fil/"):
            data = innehall(reg.get(url))
            if h.filnamn.endswith(".pdf"):
                las = " ".join(
                    " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages
                )
                assert "Sekretess enligt OSL 25 kap. 1 §" in las, (h.titel, url)
            else:
                with zipfile.ZipFile(io.BytesIO(data)) as z:  # Word: the words are in its XML
                    las = z.read("word/document.xml").decode()
            assert rubrik not in las and BESLUT not in las, (h.titel, url)
            with h.fil.open("rb") as f:
                assert innehall(revisor.get(url)) == f.read()
    for h in pdf:
        assert rubrik in text(revisor.get(reverse("arenden:handling_fil", args=[h.pk])))
    loggade = Sekretessatkomst.objects.filter(
        anvandare=cast.revisor, handling__in=filade, vad=Sekretessatkomst.Vad.FIL
    )
    assert loggade.exists()
    assert not Sekretessatkomst.objects.filter(anvandare=cast.registrator).exists()


def test_a_meeting_document_read_in_full_is_logged_as_a_read_of_secret_content():
    """The kallelse, the protokoll (drawn now or as filed) and the paragraph's utdrag from the
    meeting's pages and the ledamotsportal: whoever reads one in full, with a secret item's
    text, is on the revisor's list, as for a handling's file; a masked copy is not a read."""
    mote = Mote(cast_for("HSN"))
    mote.till("anslaget")
    mote.hemligt()
    cast, s = mote.cast, mote.sammantrade
    urls = [
        reverse("arenden:mote_dokument", args=[s.pk, "kallelse", "pdf"]),
        reverse("arenden:mote_dokument", args=[s.pk, "protokoll", "docx"]),
        reverse("arenden:mote_protokollfil", args=[s.pk, 1]),
        reverse("arenden:punkt_utdrag", args=[mote.arendepunkt.pk, "pdf"]),
    ]
    for url in urls:
        innehall(klient(cast.registrator).get(url))  # masked: nothing read
    assert not Sekretessatkomst.objects.exists()
    for nummer, url in enumerate(urls, start=1):
        innehall(klient(cast.revisor).get(url))
        loggade = Sekretessatkomst.objects.filter(anvandare=cast.revisor, arende=mote.arende)
        assert loggade.count() == nummer, url
    assert {r.vad for r in Sekretessatkomst.objects.all()} == {Sekretessatkomst.Vad.DOKUMENT}
