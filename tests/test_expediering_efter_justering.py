"""A beslut of a meeting leaves the house only once its protokoll is justerat, or its paragraph
is justerad at once (KL 5 kap. 69 §, 6 kap. 35 §): until then the protokoll can still change
and the beslut may not be verkställt (KL 13 kap. 14 §). A beslut taken on the nämnd's behalf is
final when it is taken. The rule is the *expediera* step's requirement; every door asks it
before anyone is sent anything."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from arenden.handlaggning import services
from arenden.models import Punkt
from arenden.sammantraden import protokoll
from flows import uppgifter
from tests.factories import fran_arendesidan
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db

INTE_JUSTERAT = "protokollet med beslutet är inte justerat"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    """A meeting that decided its ärende, whose protokoll is upprättat but not justerat; the
    beslut is to be sent to two recipients."""
    mote = Mote(cast_for("HSN"))
    mote.kalla()
    mote.besluta()
    mote.besluta(mote.info)
    mote.uppratta()
    mote.arende.refresh_from_db()
    services.satt_sandlista(mote.arende, ["Kommunförbundet", "Revisionen"], user=mote.sek)
    assert mote.arende.state == "beslutat"
    return mote


def _osanda(arende):
    return arende.mottagare.filter(expedierad=None).count()


def test_no_recipient_is_sent_the_beslut_before_the_protokoll_is_justerat(mote):
    arende = mote.arende
    for mottagare in arende.mottagare.all():
        with pytest.raises(ValidationError, match=INTE_JUSTERAT) as fel:
            services.expediera_till(mottagare, user=mote.sek, metod="e-post")
        assert fel.value.code == "inte_justerat"
    assert _osanda(arende) == 2
    # nor the step itself, whoever asks the engine
    with pytest.raises(RequirementMissing, match=INTE_JUSTERAT):
        do_transition(arende, "expediera", mote.sek)
    arende.refresh_from_db()
    assert arende.state == "beslutat" and arende.expedierat is None


def test_signed_by_one_is_not_enough_and_signed_by_all_it_may_be_sent(mote):
    arende = mote.arende
    mote.justera(mote.ordforande_user)
    kommunforbundet, revisionen = arende.mottagare.order_by("ordning")
    with pytest.raises(ValidationError, match=INTE_JUSTERAT):
        services.expediera_till(kommunforbundet, user=mote.sek, metod="e-post")
    mote.justera(mote.justerare_user)
    assert mote.las_om().state == "justerat"
    services.expediera_till(kommunforbundet, user=mote.sek, metod="e-post")
    services.expediera_till(revisionen, user=mote.sek, metod="post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"


def test_a_paragraph_justerad_at_once_is_sent_before_the_rest_of_the_protokoll(mote):
    arende = mote.arende
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    assert mote.las_om().justerat is None
    for mottagare in arende.mottagare.all():
        services.expediera_till(mottagare, user=mote.sek, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"


def test_the_task_sends_nothing_before_justering(mote):
    arende = mote.arende
    [task] = [t for t in uppgifter.uppgifter(arende) if t.flow_task.name == "expediera"]
    with pytest.raises(ValidationError, match=INTE_JUSTERAT):
        uppgifter.expediera(task, mote.sek, metod="e-post")
    assert _osanda(arende) == 2


def test_the_page_says_why_and_offers_no_sending_until_justerat(mote):
    arende = mote.arende
    klient = Client()
    klient.force_login(mote.sek)
    url = reverse("arenden:expediera", args=[arende.pk])
    sida = klient.get(url).content.decode()
    assert "Beslutet kan inte expedieras ännu" in sida and INTE_JUSTERAT in sida
    assert "Markera som expedierat" not in sida
    # a form sent anyway (an old tab, a forged post) is refused and sends nothing
    mottagare = arende.mottagare.first()
    svar = klient.post(
        url, fran_arendesidan(arende, {"mottagare": mottagare.pk, "metod": "e-post"}), follow=True
    )
    assert svar.status_code == 200
    assert INTE_JUSTERAT in svar.content.decode()
    assert _osanda(arende) == 2
    # justerat, the page offers it and the post sends
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    sida = klient.get(url).content.decode()
    assert "Beslutet kan inte expedieras ännu" not in sida
    assert sida.count("Markera som expedierat") == 2
    klient.post(url, fran_arendesidan(arende, {"mottagare": mottagare.pk, "metod": "e-post"}))
    assert _osanda(arende) == 1


def test_a_new_beslut_waits_for_its_own_protokoll(mote):
    """Reopened and decided again at a later meeting: the first protokoll's justering does
    not let the new beslut out before its own protokoll is justerat."""
    arende = mote.arende
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    for mottagare in arende.mottagare.all():
        services.expediera_till(mottagare, user=mote.sek, metod="e-post")
    arende.refresh_from_db()
    do_transition(arende, "avsluta", mote.cast.stabschef)
    do_transition(arende, "ateroppna", mote.cast.stabschef, "Ny begäran om prövning")
    cast = mote.cast
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    ny = Mote(mote.cast, mote.sammantrade.datum.replace(day=26), agenda=False)
    punkt = ny.punkt(arende=arende, slag=Punkt.Slag.BESLUTSARENDE)
    ny.kalla()
    ny.besluta(punkt)
    ny.uppratta()
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet"], user=mote.sek)
    ny_rad = arende.mottagare.get(expedierad=None)
    with pytest.raises(ValidationError, match=INTE_JUSTERAT):
        services.expediera_till(ny_rad, user=mote.sek, metod="e-post")
    ny.justera(ny.ordforande_user)
    ny.justera(ny.justerare_user)
    # the page says which beslut each row was sent: the first round's rows, the earlier one
    klient = Client()
    klient.force_login(mote.sek)
    sida = klient.get(reverse("arenden:expediera", args=[arende.pk])).content.decode()
    forsta = arende.beslut.order_by("pk").first()
    assert sida.count(f"beslutet {forsta}, ett tidigare beslut i ärendet") == 2
    assert sida.count("Markera som expedierat") == 1
    services.expediera_till(ny_rad, user=mote.sek, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"


def test_a_forslag_goes_on_to_the_higher_organ_once_its_protokoll_is_justerat():
    """Överlämnat: the förslag is registered in the higher organ's diarium and the ärende is
    closed here once the protokoll is justerat, not before (KL 13 kap. 14 §)."""
    from arenden.diarium import services as diarium_services
    from arenden.models import Organ

    mote = Mote(cast_for("HSN"))
    rs = Organ.objects.create(kod="RS", namn="Regionstyrelsen", typ=Organ.Typ.STYRELSE)
    mote.kalla()
    protokoll.besluta(
        mote.arendepunkt,
        user=mote.sek,
        utfall=Punkt.Utfall.FORSLAG,
        beslut="Nämnden föreslår regionstyrelsen att anta riktlinjerna.",
        forslag_till=rs,
    )
    mote.besluta(mote.info)
    mote.uppratta()
    arende = mote.arende
    arende.refresh_from_db()
    assert arende.state == "overlamnat"
    with pytest.raises(ValidationError, match=INTE_JUSTERAT):
        diarium_services.fortsatt_i(arende, organ=rs, user=mote.cast.registrator)
    with pytest.raises(RequirementMissing, match=INTE_JUSTERAT):
        do_transition(arende, "avsluta", mote.cast.stabschef)
    assert not rs.arenden.exists()
    arende.refresh_from_db()
    assert arende.state == "overlamnat"
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    i_rs = diarium_services.fortsatt_i(arende, organ=rs, user=mote.cast.registrator)
    assert i_rs.organ == rs
    do_transition(arende, "avsluta", mote.cast.stabschef)
    arende.refresh_from_db()
    assert arende.state == "avslutat"
