"""Secret content, found to reach the wrong reader in a review (2026-12-06), each proven
shut: a marked kallelse or protokoll handed out masked item by item, the outcome of a masked
item in the API, the reason a meeting was cancelled copied into each ärende's history, and a
protected file's checksum and size (OSL 5 kap. 5 §, need to know)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from arenden.diarium import services as diarium_services
from arenden.handlaggning.services import tilldela
from arenden.models import Handling
from arenden.sammantraden import protokoll
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def klient(user):
    client = Client()
    client.force_login(user)
    return client


def _pdftext(svar) -> str:
    data = b"".join(svar.streaming_content) if svar.streaming else svar.content
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _markerad_kallelse():
    """A meeting's kallelse filed in the meeting's ärende, then marked as a whole by the
    ärende's handläggare (nothing on the föredragningslista is secret by itself)."""
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    tilldela(moteslista, handlaggare=cast.handlaggare, user=cast.stabschef)
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("anslaget")
    kallelse = Handling.objects.get(arende=moteslista, typ="kallelse")
    diarium_services.andra_sekretess(
        kallelse,
        user=cast.handlaggare,
        lagrum="OSL 21 kap. 1 §",
        motivering="Innehåller uppgift om hälsa",
        offentlig_rubrik="Kallelse",
    )
    return cast, mote, kallelse


def test_a_marked_kallelse_is_refused_whole_to_who_may_not_read_it():
    cast, mote, kallelse = _markerad_kallelse()
    rubrik = mote.arende.arendemening
    registrator = klient(cast.registrator)
    sida = registrator.get(reverse("arenden:handling_fil", args=[kallelse.pk]))
    api = registrator.get(f"/api/handlingar/{kallelse.pk}/fil/")
    assert (sida.status_code, api.status_code) == (403, 403)
    assert rubrik.encode() not in sida.content + api.content
    # who prepares the ärende reads what they marked, as filed
    svar = klient(cast.handlaggare).get(reverse("arenden:handling_fil", args=[kallelse.pk]))
    assert svar.status_code == 200
    assert rubrik in _pdftext(svar)


def test_the_api_gives_no_outcome_of_an_item_the_reader_may_not_read():
    cast = cast_for("HSN")
    mote = Mote(cast).till("anslaget")
    mote.hemligt()
    data = klient(cast.registrator).get(f"/api/sammantraden/{mote.sammantrade.pk}/").json()
    punkt = next(p for p in data["punkter"] if p["arende"] == mote.arende.pk)
    assert punkt["maskerad"] is True
    assert punkt["utfall"] is None
    sekreterare = klient(mote.sek).get(f"/api/sammantraden/{mote.sammantrade.pk}/").json()
    punkt = next(p for p in sekreterare["punkter"] if p["arende"] == mote.arende.pk)
    assert (punkt["maskerad"], punkt["utfall"]) == (False, "bifall")


def test_a_protected_file_gives_no_checksum_size_or_type_to_who_may_not_read_it():
    """Who holds a copy could otherwise confirm that it is the protected one."""
    _cast, _mote, kallelse = _markerad_kallelse()
    cast = _cast
    hemlig = next(
        h
        for h in klient(cast.registrator)
        .get(f"/api/arenden/{kallelse.arende_id}/")
        .json()["handlingar"]
        if h["id"] == kallelse.pk
    )
    assert hemlig["maskerad"] is True
    assert (hemlig["sha256"], hemlig["storlek"], hemlig["mediatyp"]) == (None, None, None)
    las = next(
        h
        for h in klient(cast.handlaggare)
        .get(f"/api/arenden/{kallelse.arende_id}/")
        .json()["handlingar"]
        if h["id"] == kallelse.pk
    )
    assert (las["sha256"], las["storlek"]) == (kallelse.sha256, kallelse.storlek)
    assert len(las["sha256"]) == 64 and las["storlek"] > 0


def test_the_masked_arende_page_names_the_beredningsansvariga_without_their_part():
    from arenden.organisation.models import Person

    cast = cast_for("HSN")
    arende = cast.registrera(
        "Patienten NN:s diagnos", sekretess_lagrum="OSL 25 kap. 1 §", offentlig_rubrik="Vård"
    )
    jurist = Person.objects.create(namn="Jonna Jurist", titel="jurist")
    tilldela(
        arende,
        handlaggare=cast.handlaggare,
        beredningsansvariga=[(jurist, "Bedömning av NN:s diagnos")],
        user=cast.stabschef,
    )
    maskerad = klient(cast.registrator).get(reverse("arenden:arende", args=[arende.pk]))
    assert maskerad.status_code == 200
    assert "Jonna Jurist" in maskerad.content.decode()
    assert "NN:s diagnos" not in maskerad.content.decode()
    hel = klient(cast.handlaggare).get(reverse("arenden:arende", args=[arende.pk]))
    assert "Bedömning av NN:s diagnos" in hel.content.decode()


def test_a_delegat_reads_a_secret_arende_only_where_they_may_decide_it():
    """KL 6 kap. 37 §, OSL need to know: the delegat reads what they decide on. Never a
    motion or medborgarförslag (KL 6 kap. 38 § 4), which is never theirs to decide; what
    they read is what their list Att besluta offers, no more."""
    from arenden.delegering.services import att_besluta
    from tests import factories

    cast = factories.Cast()
    delegat = factories.user("delegat-HSN")
    factories.person("Dora Delegat", anvandare=delegat, titel="enhetschef")
    factories.delegationspunkt(organ=cast.organ, delegat=delegat.person, lagrum="KL 6 kap. 37 §")
    hemligt = {"sekretess_lagrum": "OSL 21 kap. 1 §", "offentlig_rubrik": "Ärende med sekretess"}
    remiss = cast.berett("Remiss om NN:s vårdplan", **hemligt)
    forslag = cast.berett("Förslag om NN:s diagnos", typ="medborgarforslag", **hemligt)
    for arende in (remiss, forslag):
        arende.refresh_from_db()
        assert arende.state == "beredd"
    assert list(att_besluta(delegat)) == [remiss]
    assert delegat.has_perm("arenden.view_sekretess", remiss)
    assert not delegat.has_perm("arenden.view_sekretess", forslag)
    sida = klient(delegat).get(reverse("arenden:arende", args=[forslag.pk]))
    assert sida.status_code == 200 and "NN:s diagnos" not in sida.content.decode()
    sida = klient(delegat).get(reverse("arenden:arende", args=[remiss.pk]))
    assert "Remiss om NN:s vårdplan" in sida.content.decode()
    # the stabschef, whose read of the ärende is not conditioned, reads both
    assert all(cast.stabschef.has_perm("arenden.view_sekretess", a) for a in (remiss, forslag))


def test_the_api_history_of_a_meeting_leaves_out_a_rattelse_of_an_item_marked_since():
    """The rättelse's text is written into the meeting's history when it is made; the item's
    ärende marked afterwards, who may not read the item no longer reads it there either."""
    cast = cast_for("HSN")
    mote = Mote(cast).till("justerat")
    text = "Beslutet gäller patienten NN:s vårdplan."
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=text
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    url = f"/api/sammantraden/{mote.sammantrade.pk}/historik/"
    assert text in klient(cast.registrator).get(url).content.decode()  # open until marked
    mote.hemligt()
    svar = klient(cast.registrator).get(url)
    assert svar.status_code == 200
    assert text not in svar.content.decode()
    steg = [p for p in svar.json()["poster"] if p["overgang"] == "foresla_rattelse"]
    assert steg and all("sekretess" in p["kommentar"] for p in steg)
    assert text in klient(mote.sek).get(url).content.decode()


def test_the_granskningslogg_leaves_out_a_rattelse_of_an_item_marked_since(django_user_model):
    """As the API's history: the log page and its exports read the meeting's history too.
    The superuser, who reads no secret content, read the rättelse's text there."""
    cast = cast_for("HSN")
    mote = Mote(cast).till("justerat")
    text = "Rätt namn är Zlatanovic"
    protokoll.foresla_rattelse(mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=text)
    admin = django_user_model.objects.create_superuser("drift", "d@example.se", "lösenord-123")
    sidor = ("/granskning/", "/granskning/export.csv", "/granskning/export.json")

    def las(user, url):
        svar = klient(user).get(url)
        assert svar.status_code == 200
        return (b"".join(svar.streaming_content) if svar.streaming else svar.content).decode()

    assert all(text in las(admin, url) for url in sidor)  # open until marked
    mote.hemligt()
    assert not admin.has_perm("arenden.view_sekretess", mote.arende)
    for url in sidor:
        innehall = las(admin, url)
        assert text not in innehall
        assert "Rättelsens text visas för den som får läsa paragrafen (sekretess)." in innehall
    assert text in las(cast.revisor, "/granskning/")
