"""What is owed of the rättat protokollsutdrag (FL 36 §), per recipient and per rättelse, and
when an expediering may be dated.

A rättelse in effect of a paragraph that holds a beslut a recipient was sent before the
rättelse took effect owes them its rättat utdrag until it is recorded sent. A later rättelse,
of another meeting's paragraph or of the same one, leaves what an earlier one owes: the
ärende's notice says so, the expediering page sends it, and the ärende is not closed before.

An expediering dated by hand is never dated before the beslut could leave the house: the
justering of its protokoll or of its paragraph, or the day a delegat took it (KL 5 kap. 69 §,
6 kap. 35, 37 §§, 13 kap. 14 §)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from arenden.delegering.services import fatta_delegationsbeslut
from arenden.handlaggning import services
from arenden.models import Arende, Punkt, Rattelseexpediering
from arenden.sammantraden import protokoll
from flows import uppgifter
from tests import factories
from tests.factories import fran_arendesidan
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db

KVAR = "det rättade protokollsutdraget är inte skickat"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _justera(mote: Mote) -> None:
    """As the ordinary course: a week after the meeting, at ten."""
    tid = timezone.make_aware(
        datetime.datetime.combine(mote.sammantrade.datum, datetime.time(10))
    ) + datetime.timedelta(days=7)
    mote.justera(mote.ordforande_user, tid)
    mote.justera(mote.justerare_user, tid)


def _ratta(mote: Mote, punkt: Punkt, text: str):
    """A rättelse of ``punkt`` signed by both who justerade: in effect."""
    rattelse = protokoll.foresla_rattelse(mote.las_om(), user=mote.sek, punkt=punkt, text=text)
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    return rattelse


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def _skickat():
    return sorted(Rattelseexpediering.objects.values_list("mottagare_id", "rattelse_id"))


def _notis(rattelse, vilka: str) -> str:
    """The line of the ärende's notice for one rättelse owed."""
    punkt = Punkt.objects.get(pk=rattelse.punkt_id)
    return (
        f"§ {punkt.beteckning} i protokollet från {rattelse.sammantrade}, rättat "
        f"{timezone.localdate(rattelse.giltig):%Y-%m-%d}: ej skickat till {vilka}"
    )


# -- a later rättelse leaves what an earlier one owes ----------------------------------------


def test_a_rattelse_of_the_bordlaggning_leaves_the_rattat_utdrag_owed_for_the_beslut():
    hsn = cast_for("HSN")
    m1 = Mote(hsn, datum=datetime.date(2025, 11, 12))
    arende = m1.arende
    m1.kalla()
    protokoll.besluta(
        m1.arendepunkt, user=m1.sek, utfall=Punkt.Utfall.BORDLAGGNING, motivering="Mer tid"
    )
    protokoll.besluta(
        m1.info, user=m1.sek, utfall=Punkt.Utfall.INFORMATION, beslut="Informationen noterad"
    )
    m1.uppratta()
    _justera(m1)
    arende.refresh_from_db()
    assert arende.state == "bordlagt"
    m2 = Mote(hsn, datum=datetime.date(2025, 11, 26), agenda=False)
    p2 = m2.punkt(arende=arende, slag=Punkt.Slag.BESLUTSARENDE)
    m2.kalla()
    m2.besluta(p2)
    m2.uppratta()
    _justera(m2)
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet"], user=m2.sek)
    [kommunforbundet] = arende.mottagare.all()
    services.expediera_till(kommunforbundet, user=m2.sek, metod="e-post")
    p2.refresh_from_db()
    ra = _ratta(m2, p2, "Beslutet avser 2026, inte 2025.")
    m1.arendepunkt.refresh_from_db()
    rb = _ratta(m1, m1.arendepunkt, "Motiveringen för bordläggningen stavades fel.")
    assert rb.giltig > ra.giltig

    # the beslut Kommunförbundet got was rättat by Ra: still owed, whatever Rb corrected
    assert services.rattat_utdrag_kvar(arende) == [(ra, [kommunforbundet])]
    sek = _klient(m2.sek)
    sida = sek.get(f"/arende/{arende.pk}/").content.decode()
    assert _notis(ra, "Kommunförbundet") in sida
    assert f"i protokollet från {m1.las_om()}, rättat" not in sida
    sida = sek.get(f"/arende/{arende.pk}/expediera/").content.decode()
    assert f"Ej skickat: rättelsen av § {p2.beteckning} i protokollet från {m2.las_om()}" in sida
    assert "Markera rättat utdrag som skickat" in sida

    # the ärende stays open while it is owed
    arende.refresh_from_db()
    with pytest.raises(RequirementMissing, match=KVAR):
        do_transition(arende, "avsluta", hsn.stabschef, "klart")
    arende.refresh_from_db()
    assert arende.state == "expedierat"

    # sent from the page: Ra's utdrag, recorded for Kommunförbundet
    data = fran_arendesidan(arende, {"mottagare": kommunforbundet.pk, "metod": "post"})
    assert sek.post(f"/arende/{arende.pk}/expediera/rattelse/", data).status_code == 302
    assert _skickat() == [(kommunforbundet.pk, ra.pk)]
    assert services.rattat_utdrag_kvar(arende) == []
    assert "ej skickat till" not in sek.get(f"/arende/{arende.pk}/").content.decode()
    arende.refresh_from_db()
    do_transition(arende, "avsluta", hsn.stabschef, "klart")
    arende.refresh_from_db()
    assert arende.state == "avslutat"


@pytest.fixture
def tva_rattelser():
    """The beslut sent to Kommunförbundet before a first rättelse of its paragraph, to
    Revisionen between it and a second one."""
    mote = Mote(cast_for("HSN")).till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet", "Revisionen"], user=mote.sek)
    kommunforbundet, revisionen = arende.mottagare.order_by("ordning")
    services.expediera_till(kommunforbundet, user=mote.sek, metod="e-post")
    mote.arendepunkt.refresh_from_db()
    forsta = _ratta(mote, mote.arendepunkt, "Beslutet avser 2026, inte 2025.")
    services.expediera_till(revisionen, user=mote.sek, metod="post")
    andra = _ratta(mote, mote.arendepunkt, "Beloppet är 40 000 kronor, inte 4 000.")
    arende.refresh_from_db()
    return mote, arende, kommunforbundet, revisionen, forsta, andra


def test_each_rattelse_is_owed_to_who_got_the_beslut_before_it(tva_rattelser):
    mote, arende, kommunforbundet, revisionen, forsta, andra = tva_rattelser
    assert services.rattat_utdrag_kvar(arende) == [
        (forsta, [kommunforbundet]),
        (andra, [kommunforbundet, revisionen]),
    ]
    sida = _klient(mote.sek).get(f"/arende/{arende.pk}/").content.decode()
    assert _notis(forsta, "Kommunförbundet") in sida
    assert _notis(andra, "Kommunförbundet, Revisionen") in sida

    # one sending to Kommunförbundet: the utdrag filed last carries both rättelser
    rader = services.skicka_rattelse(kommunforbundet, user=mote.sek, metod="post")
    assert [r.rattelse for r in rader] == [forsta, andra]
    assert _skickat() == [(kommunforbundet.pk, forsta.pk), (kommunforbundet.pk, andra.pk)]
    assert services.rattat_utdrag_kvar(arende) == [(andra, [revisionen])]
    with pytest.raises(ValidationError, match="redan skickat till Kommunförbundet"):
        services.skicka_rattelse(kommunforbundet, user=mote.sek, metod="post")
    with pytest.raises(RequirementMissing, match=KVAR):
        do_transition(arende, "avsluta", mote.cast.stabschef, "")

    # Revisionen got the beslut with the first rättelse in it: the second is what it lacks
    [rad] = services.skicka_rattelse(revisionen, user=mote.sek, metod="e-post")
    assert rad.rattelse == andra
    assert services.rattat_utdrag_kvar(arende) == []
    do_transition(arende, "avsluta", mote.cast.stabschef, "")
    arende.refresh_from_db()
    assert arende.state == "avslutat"


def test_an_utdrag_sent_after_a_later_rattelse_of_the_paragraph_carries_the_earlier(
    tva_rattelser,
):
    """Before each rättelse was recorded on its own, one sending was recorded for the newest
    rättelse only; the utdrag sent then carried every rättelse of the paragraph in effect."""
    mote, arende, kommunforbundet, revisionen, forsta, andra = tva_rattelser
    for mottagare in (kommunforbundet, revisionen):
        Rattelseexpediering.objects.create(
            mottagare=mottagare,
            rattelse=andra,
            skickad=timezone.now(),
            metod="post",
            skickad_av=mote.sek,
        )
    assert services.rattat_utdrag_kvar(arende) == []


def test_who_got_the_beslut_after_the_rattelse_is_owed_nothing():
    mote = Mote(cast_for("HSN")).till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet", "Länsstyrelsen"], user=mote.sek)
    kommunforbundet, lansstyrelsen = arende.mottagare.order_by("ordning")
    services.expediera_till(kommunforbundet, user=mote.sek, metod="e-post")
    mote.arendepunkt.refresh_from_db()
    rattelse = _ratta(mote, mote.arendepunkt, "Beslutet avser 2026, inte 2025.")
    services.expediera_till(lansstyrelsen, user=mote.sek, metod="post")
    assert services.rattat_utdrag_kvar(arende) == [(rattelse, [kommunforbundet])]
    with pytest.raises(ValidationError, match="Länsstyrelsen har inte fått beslutet före"):
        services.skicka_rattelse(lansstyrelsen, user=mote.sek, metod="post")
    assert _skickat() == []


# -- an expediering is never dated before the beslut could be sent ----------------------------


def test_an_expediering_dated_before_the_justering_is_refused():
    mote = Mote(cast_for("HSN")).till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet"], user=mote.sek)
    [mottagare] = arende.mottagare.all()
    justerat = mote.las_om().justerat
    assert f"{timezone.localtime(justerat):%Y-%m-%d %H.%M}" == "2025-11-19 10.00"
    for fore in (
        datetime.datetime(2025, 1, 2, 9, tzinfo=datetime.UTC),
        justerat - datetime.timedelta(minutes=1),
    ):
        with pytest.raises(ValidationError) as fel:
            services.expediera_till(mottagare, user=mote.sek, metod="e-post", tidpunkt=fore)
        assert fel.value.messages == [
            f"Beslutet kan inte ha expedierats {timezone.localtime(fore):%Y-%m-%d %H.%M}: det "
            "kunde skickas först när protokollet justerades 2025-11-19 10.00."
        ]
        mottagare.refresh_from_db()
        arende.refresh_from_db()
        assert (mottagare.expedierad, arende.state) == (None, "beslutat")
    # the process's task passes its tidpunkt on: refused the same, nobody recorded sent
    [task] = [t for t in uppgifter.uppgifter(arende) if t.flow_task.name == "expediera"]
    with pytest.raises(ValidationError, match="först när protokollet justerades 2025-11-19"):
        uppgifter.expediera(
            task, mote.sek, metod="post", tidpunkt=justerat - datetime.timedelta(days=1)
        )
    mottagare.refresh_from_db()
    assert mottagare.expedierad is None
    uppgifter.expediera(task, mote.sek, metod="e-post", tidpunkt=justerat)
    mottagare.refresh_from_db()
    arende.refresh_from_db()
    assert (mottagare.expedierad, arende.state) == (justerat, "expedierat")


def test_a_paragraph_justerad_at_once_may_be_sent_from_then():
    mote = Mote(cast_for("HSN")).till("kallat")
    mote.besluta()
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    mote.arendepunkt.refresh_from_db()
    omedelbart = mote.arendepunkt.omedelbart_justerad
    assert mote.las_om().justerat is None
    arende = Arende.objects.get(pk=mote.arende.pk)
    services.satt_sandlista(arende, ["Kommunförbundet"], user=mote.sek)
    [mottagare] = arende.mottagare.all()
    fore = omedelbart - datetime.timedelta(minutes=5)
    with pytest.raises(ValidationError, match="först när paragrafen justerades omedelbart"):
        services.expediera_till(mottagare, user=mote.sek, metod="e-post", tidpunkt=fore)
    mottagare.refresh_from_db()
    assert mottagare.expedierad is None
    services.expediera_till(mottagare, user=mote.sek, metod="e-post", tidpunkt=omedelbart)
    mottagare.refresh_from_db()
    assert mottagare.expedierad == omedelbart


def test_a_delegationsbeslut_is_not_sent_before_the_day_it_was_taken(delegat):
    cast = factories.Cast()
    rad = factories.delegationspunkt(
        organ=cast.organ, delegat=delegat.person, nummer="3.2", lagrum="KL 6 kap. 37 §"
    )
    arende = cast.registrera("Remiss om vårdval")
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    services.satt_sandlista(arende, ["Kommunförbundet"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    dag = datetime.date(2025, 11, 12)
    fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=dag, text="Bifall.")
    arende.refresh_from_db()
    [mottagare] = arende.mottagare.all()
    kvallen_fore = timezone.make_aware(datetime.datetime(2025, 11, 11, 23, 30))
    with pytest.raises(ValidationError, match="först när beslutet fattades 2025-11-12"):
        services.expediera_till(
            mottagare, user=cast.sekreterare, metod="post", tidpunkt=kvallen_fore
        )
    morgonen = timezone.make_aware(datetime.datetime(2025, 11, 12, 8))
    services.expediera_till(mottagare, user=cast.sekreterare, metod="post", tidpunkt=morgonen)
    arende.refresh_from_db()
    assert arende.state == "expedierat"


def test_the_arende_page_costs_the_same_queries_for_one_rattelse_owed_as_for_three():
    """The ärende's page says on every visit what is owed of the rättat utdrag: its cost does
    not grow with the rättelser in effect nor the recipients owed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mote = Mote(cast_for("HSN")).till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet", "Revisionen"], user=mote.sek)
    for mottagare in arende.mottagare.order_by("ordning"):
        services.expediera_till(mottagare, user=mote.sek, metod="e-post")
    sida = _klient(mote.sek)

    def kostnad() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as fragor:
            html = sida.get(f"/arende/{arende.pk}/").content.decode()
        return len(fragor), html

    forsta = _ratta(mote, mote.arendepunkt, "Beslutet avser 2026, inte 2025.")
    kostnad()  # the first visit fills the caches of the session and the content types
    en, html = kostnad()
    assert _notis(forsta, "Kommunförbundet, Revisionen") in html
    for text in ("Beloppet är 40 000 kronor.", "Datumet är den 1 mars."):
        mote.arendepunkt.refresh_from_db()
        _ratta(mote, mote.arendepunkt, text)
    tre, html = kostnad()
    assert html.count("ej skickat till Kommunförbundet, Revisionen") == 3
    assert tre == en
