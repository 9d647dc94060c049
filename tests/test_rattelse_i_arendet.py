"""A rättelse of a justerat protokoll (FL 36 §) reaches the ärende whose paragraph it corrects,
when it takes effect (the last signature), in the same transaction: the rättat
protokollsutdrag is filed in the ärende as a new handling that says it is rättat, beside the
first utdrag, which stays; the ärende's hash-chained history has the step *Rättelse av beslut*
with the rättelse's text; and when the beslut was expedierat before, the ärende and its
expediering say so and who expedierar records sending the rättat utdrag to each recipient who
got the old one, once. A rättelse not yet signed by all changes nothing in the ärende."""

import pypdf
import pytest
from django.test import Client
from django.utils import timezone

from arenden.handlaggning import services
from arenden.models import Handling, Rattelseexpediering
from arenden.sammantraden import protokoll
from tests.factories import fran_arendesidan
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history
from workflow.history import verify_object

pytestmark = pytest.mark.django_db

TEXT = "Beslutet avser 2026 års riktlinjer, inte 2025 års."
NOTIS = "efter att det expedierades: skicka det rättade protokollsutdraget till mottagarna"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _expedierat(mote: Mote) -> Mote:
    """The meeting's protokoll justerat, its beslut sent to two recipients."""
    mote.till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet", "Revisionen"], user=mote.sek)
    for mottagare in arende.mottagare.order_by("ordning"):
        services.expediera_till(mottagare, user=mote.sek, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"
    return mote


@pytest.fixture
def mote():
    return _expedierat(Mote(cast_for("HSN")))


def _rattelse(mote: Mote, *, signera_alla=True):
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    if signera_alla:
        protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    return rattelse


def _utdrag(arende):
    return list(arende.handlingar.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG).order_by("pk"))


def _pdf_text(handling) -> str:
    with handling.fil.open("rb") as fil:
        return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(fil).pages)


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def test_signed_by_all_the_arende_holds_the_old_utdrag_and_the_rattat_one(mote):
    arende = mote.arende
    [forsta] = _utdrag(arende)
    fore = (forsta.titel, forsta.sha256, forsta.fil.name, forsta.status)
    rattelse = _rattelse(mote)
    gammal, ny = _utdrag(arende)
    # the first utdrag is a record: kept as it was filed
    assert gammal.pk == forsta.pk
    assert (gammal.titel, gammal.sha256, gammal.fil.name, gammal.status) == fore
    assert TEXT not in _pdf_text(gammal)
    # the new one says it is rättat, of which paragraph and when, and prints the rättelse
    mote.arendepunkt.refresh_from_db()
    dag = f"{timezone.localdate(rattelse.giltig):%Y-%m-%d}"
    assert f"Protokollsutdrag § {mote.arendepunkt.paragraf}, rättat {dag}" in ny.titel
    assert ny.riktning == Handling.Riktning.UPPRATTAD and ny.sha256 and ny.sha256 != gammal.sha256
    assert TEXT in _pdf_text(ny)
    # the beslut row keeps what was justerat and expedierat (FL 36 §: the rättelse is its own
    # record beside it)
    beslut = arende.beslut.get()
    assert TEXT not in beslut.text


def test_the_arende_history_has_the_rattelse_step_with_its_text(mote):
    arende = mote.arende
    _rattelse(mote)
    arende.refresh_from_db()
    senaste = list(history(arende))[-1]
    assert senaste.transition == "rattelse"
    assert senaste.from_state == senaste.to_state == "expedierat"
    assert senaste.actor == mote.justerare_user  # who signed last
    assert TEXT in senaste.comment
    assert arende.state == "expedierat"
    assert verify_object(arende).intact
    # the ärende's page and its timeline read it as a step of its own
    sida = _klient(mote.cast.handlaggare).get(f"/arende/{arende.pk}/").content.decode()
    assert "Rättelse av beslut" in sida and TEXT in sida


def test_the_expediera_page_shows_the_notice_and_sends_the_rattat_utdrag_once(mote):
    arende = mote.arende
    rattelse = _rattelse(mote)
    dag = f"{timezone.localdate(rattelse.giltig):%Y-%m-%d}"
    sek = _klient(mote.sek)
    for url in (f"/arende/{arende.pk}/", f"/arende/{arende.pk}/expediera/"):
        svar = sek.get(url)
        assert svar.status_code == 200, url
        assert NOTIS in svar.content.decode() and dag in svar.content.decode(), url
    kommunforbundet, revisionen = arende.mottagare.order_by("ordning")
    data = fran_arendesidan(arende, {"mottagare": kommunforbundet.pk, "metod": "post"})
    url = f"/arende/{arende.pk}/expediera/rattelse/"
    # a double click: the second is refused, one sending recorded
    assert sek.post(url, data).status_code == 302
    assert sek.post(url, data).status_code == 302
    [skickat] = Rattelseexpediering.objects.filter(mottagare=kommunforbundet)
    assert (skickat.rattelse, skickat.metod, skickat.skickad_av) == (rattelse, "post", mote.sek)
    assert not Rattelseexpediering.objects.filter(mottagare=revisionen).exists()
    # one left: still said
    assert NOTIS in sek.get(f"/arende/{arende.pk}/").content.decode()
    # someone who does not expediera the beslut may not record it
    ledamot = _klient(mote.ledamot_user)
    data = fran_arendesidan(arende, {"mottagare": revisionen.pk, "metod": "post"})
    assert ledamot.post(url, data).status_code == 403
    assert not Rattelseexpediering.objects.filter(mottagare=revisionen).exists()
    assert sek.post(url, data).status_code == 302
    assert Rattelseexpediering.objects.filter(mottagare=revisionen).count() == 1
    # everyone has the rättat utdrag: nothing more to say
    assert NOTIS not in sek.get(f"/arende/{arende.pk}/").content.decode()
    sida = sek.get(f"/arende/{arende.pk}/expediera/").content.decode()
    assert NOTIS not in sida and "Markera rättat utdrag som skickat" not in sida
    assert sida.count("Skickat ") == 2


def test_a_rattelse_not_yet_signed_by_all_changes_nothing_in_the_arende(mote):
    arende = mote.arende
    steg = history(arende).count()
    rattelse = _rattelse(mote, signera_alla=False)
    assert rattelse.giltig is None
    assert len(_utdrag(arende)) == 1
    assert history(arende).count() == steg
    assert NOTIS not in _klient(mote.sek).get(f"/arende/{arende.pk}/").content.decode()
    # nor may anyone record it in the ärende by hand before it is in effect
    from workflow.engine import TransitionNotAllowed, do_transition

    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, "rattelse", mote.ordforande_user, TEXT)
    # the last signature is what carries it over
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    assert len(_utdrag(arende)) == 2
    assert history(arende).count() == steg + 1
    assert NOTIS in _klient(mote.sek).get(f"/arende/{arende.pk}/").content.decode()


def test_a_secret_paragraphs_rattat_utdrag_carries_the_marking_and_hides_the_text():
    mote = Mote(cast_for("HSN"))
    mote.hemligt()
    _expedierat(mote)
    arende = mote.arende
    [forsta] = _utdrag(arende)
    assert forsta.sekretess_lagrum
    rattelse = _rattelse(mote)
    _gammal, ny = _utdrag(arende)
    assert ny.sekretess_lagrum == forsta.sekretess_lagrum
    # the notice is for everyone who sees the ärende; the rättelse's words only for who may
    # read its secret content (OSL 5 kap. 5 §)
    arende.refresh_from_db()
    steg = list(history(arende))[-1]
    assert steg.transition == "rattelse" and TEXT in steg.comment
    assert TEXT not in arende.kommentar(steg, False)
    dag = f"{timezone.localdate(rattelse.giltig):%Y-%m-%d}"
    sida = _klient(mote.cast.registrator).get(f"/arende/{arende.pk}/").content.decode()
    assert NOTIS in sida
    # who is owed it is named as the masked sändlista names them (OSL 5 kap. 5 §)
    assert f"rättat {dag}: ej skickat till Mottagare 1 (sekretess), Mottagare 2 (sekretess)" in sida
    assert TEXT not in sida


def test_nothing_is_sent_while_the_rattat_utdrag_is_being_filed(broker):
    """With a broker, the rättat utdrag is filed by a worker after the rättelse takes effect.
    Until it is, the ärende holds the old utdrag only: who expedierar can neither send the
    beslut to one more recipient (they would get the old utdrag, dated after the rättelse, and
    never be owed the rättat one) nor record sending the rättat utdrag that is not there.
    Once it is filed, both go as usual."""
    from django.core.exceptions import ValidationError

    from arenden.dokument import arkivering
    from arenden.models import Arkivering

    mote = Mote(cast_for("HSN"))
    mote.till("justerat")
    for rad in Arkivering.objects.filter(klar__isnull=True):
        arkivering.utfor(rad.pk)
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet", "Revisionen"], user=mote.sek)
    forsta, andra = arende.mottagare.order_by("ordning")
    services.expediera_till(forsta, user=mote.sek, metod="e-post")
    rattelse = _rattelse(mote)
    [filas] = Arkivering.objects.filter(slag="rattelse", klar__isnull=True)

    with pytest.raises(ValidationError, match="diarieförs just nu"):
        services.expediera_till(andra, user=mote.sek, metod="e-post")
    with pytest.raises(ValidationError, match="diarieförs just nu"):
        services.skicka_rattelse(forsta, user=mote.sek, metod="post")
    andra.refresh_from_db()
    assert andra.expedierad is None and not Rattelseexpediering.objects.exists()

    arkivering.utfor(filas.pk)
    assert len(_utdrag(arende)) == 2  # the rättat utdrag is in the ärende now
    services.expediera_till(andra, user=mote.sek, metod="e-post")
    assert list(services.fick_fore_rattelsen(arende, rattelse)) == [forsta]
    services.skicka_rattelse(forsta, user=mote.sek, metod="post")


def test_the_arende_is_not_closed_while_the_rattat_utdrag_is_owed(mote):
    """FL 36 §: closed, the ärende would count as done (ready for the archive) with the
    rättelse unsent; every step that closes it is refused until each recipient has it."""
    from workflow.engine import RequirementMissing, do_transition

    _rattelse(mote)
    arende = mote.arende
    arende.refresh_from_db()
    with pytest.raises(RequirementMissing, match="det rättade protokollsutdraget är inte skickat"):
        do_transition(arende, "avsluta", mote.cast.stabschef, "")
    arende.refresh_from_db()
    assert arende.state == "expedierat"
    for mottagare in arende.mottagare.order_by("ordning"):
        services.skicka_rattelse(mottagare, user=mote.sek, metod="e-post")
    assert services.rattat_utdrag_kvar(arende) == []
    arende.refresh_from_db()
    do_transition(arende, "avsluta", mote.cast.stabschef, "")
    arende.refresh_from_db()
    assert arende.state == "avslutat"


def test_the_beslut_is_not_expedierat_before_its_utdrag_is_filed(broker):
    """With a broker, the justerat protokoll and each ärende's protokollsutdrag are filed by
    a worker after the justering commits. Until then the ärende holds no utdrag to send: no
    recipient is recorded as sent it, and the step itself is refused whoever takes it."""
    from django.core.exceptions import ValidationError

    from arenden.dokument import arkivering
    from arenden.models import Arkivering
    from workflow.engine import RequirementMissing, do_transition

    mote = Mote(cast_for("HSN"))
    mote.till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    assert _utdrag(arende) == []
    services.satt_sandlista(arende, ["Kommunförbundet"], user=mote.sek)
    [mottagare] = arende.mottagare.all()
    with pytest.raises(ValidationError, match="protokollsutdraget med beslutet diarieförs"):
        services.expediera_till(mottagare, user=mote.sek, metod="e-post")
    mottagare.refresh_from_db()
    assert mottagare.expedierad is None
    # the recipient marked sent past the service: the step is the definition's all the same
    mottagare.expedierad, mottagare.metod = timezone.now(), "e-post"
    mottagare.beslut = arende.beslut.get()
    mottagare.save()
    with pytest.raises(RequirementMissing, match="ännu inte diariefört i ärendet"):
        do_transition(arende, "expediera", mote.sek)
    arende.refresh_from_db()
    assert arende.state == "beslutat"

    for rad in Arkivering.objects.filter(klar__isnull=True):
        arkivering.utfor(rad.pk)
    assert len(_utdrag(arende)) == 1
    do_transition(arende, "expediera", mote.sek)
    arende.refresh_from_db()
    assert arende.state == "expedierat"
