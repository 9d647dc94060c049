"""*Anmäl till sammanträde* means an item on a meeting's föredragningslista: where the nämnd's
beslut will be recorded, and what lets the nämndsekreterare read the ärende's secret content
(flows.arende.PA_MOTET). The step was taken by a button on the ärende page, by the API and by
the Anmäl task with no item anywhere: the ärende claimed to be on a list it was not on, and its
secrets opened to the nämndsekreterare. It is now the step's requirement, whoever asks; the
button leads to a page where the meeting is chosen and the item saved."""

import datetime
import io
import re
import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse

from arenden.models import Arende, Beslut, Punkt, Sammantrade
from arenden.sammantraden import protokoll
from flows import uppgifter
from tests import factories
from tests.test_api import klient
from workflow.engine import RequirementMissing, do_transition, history, version

pytestmark = pytest.mark.django_db

INTE_PA_LISTAN = "ärendet står inte på någon föredragningslista"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def hemligt(cast):
    return cast.berett("Patienten NN klagar på vården", sekretess_lagrum="OSL 25 kap. 1 §")


def _sekreterare(cast):
    klient = Client()
    klient.force_login(cast.sekreterare)
    return klient


def test_the_step_without_an_item_is_refused_and_opens_nothing(cast, hemligt):
    sek = cast.sekreterare
    assert not sek.has_perm("arenden.view_sekretess", hemligt)
    with pytest.raises(RequirementMissing, match=INTE_PA_LISTAN):
        do_transition(hemligt, "anmal", sek)
    hemligt.refresh_from_db()
    assert hemligt.state == "beredd"
    assert not type(sek).objects.get(pk=sek.pk).has_perm("arenden.view_sekretess", hemligt)
    # the generic button post is sent to the step's page, where the meeting is chosen
    klient = _sekreterare(cast)
    svar = klient.post(
        reverse("arenden:overgang", args=[hemligt.pk]),
        factories.fran_arendesidan(
            hemligt, {"overgang": "anmal", "status": "beredd", "steg": str(version(hemligt))}
        ),
    )
    assert svar.status_code == 302
    assert svar["Location"] == reverse("arenden:anmal", args=[hemligt.pk])
    hemligt.refresh_from_db()
    assert hemligt.state == "beredd" and not Punkt.objects.exists()


def test_the_page_puts_it_on_a_meeting_of_its_organ_and_only_then_is_it_anmalt(cast, hemligt):
    hsn = factories.planerat(hemligt, cast.sekreterare, datetime.date(2025, 11, 12))
    kallat = factories.planerat(hemligt, cast.sekreterare, datetime.date(2025, 12, 10))
    protokoll.kalla(kallat, user=cast.sekreterare)
    # another organ's meeting is not offered
    annat = factories.organ("RS", "Regionstyrelsen")
    Sammantrade.objects.create(organ=annat, datum=datetime.date(2025, 11, 13), plats="Sal B")
    klient = _sekreterare(cast)
    url = reverse("arenden:anmal", args=[hemligt.pk])
    sida = klient.get(url)
    assert sida.status_code == 200
    val = [str(s) for s in sida.context["form"].fields["sammantrade"].queryset]
    assert val == [str(hsn), str(kallat)]  # its organ's meetings whose list can still change
    data = factories.fran_arendesidan(hemligt, {"sammantrade": hsn.pk, "slag": "beslutsarende"})
    svar = klient.post(url, data, follow=True)
    assert "Ärendet är anmält till" in svar.content.decode()
    hemligt.refresh_from_db()
    assert hemligt.state == "anmalt"
    [punkt] = Punkt.objects.filter(arende=hemligt)
    assert punkt.sammantrade == hsn and punkt.utfall == ""
    # on the list, the nämndsekreterare reads what the nämnd will decide on
    sek = type(cast.sekreterare).objects.get(pk=cast.sekreterare.pk)
    assert sek.has_perm("arenden.view_sekretess", hemligt)


def test_a_double_click_puts_it_on_the_list_once(cast, hemligt):
    hsn = factories.planerat(hemligt, cast.sekreterare)
    klient = _sekreterare(cast)
    url = reverse("arenden:anmal", args=[hemligt.pk])
    sida = klient.get(url).content.decode()
    nyckel = re.search(r'name="inskick" value="(\w+)"', sida)[1]
    version = re.search(r'name="version" value="(\d+)"', sida)[1]
    data = {"sammantrade": hsn.pk, "slag": "beslutsarende", "inskick": nyckel, "version": version}
    for _ in range(2):  # the same form sent twice: the second gets the first's answer
        svar = klient.post(url, data)
        assert svar.status_code == 302
        assert svar["Location"].startswith(reverse("arenden:sammantrade", args=[hsn.pk]))
    assert Punkt.objects.filter(arende=hemligt).count() == 1
    assert hemligt.__class__.objects.get(pk=hemligt.pk).state == "anmalt"


def test_a_meeting_whose_protokoll_is_upprattat_is_refused(cast, hemligt):
    """A form read before the protokoll was drawn up, sent after: refused, nothing saved."""
    mote = factories.planerat(hemligt, cast.sekreterare)
    annat = cast.berett("Ett annat ärende")
    punkt = factories.anmal(annat, cast.sekreterare, mote)
    protokoll.kalla(mote, user=cast.sekreterare)
    protokoll.besluta(punkt, user=cast.sekreterare, utfall="bifall", beslut="Bifall.")
    klient = _sekreterare(cast)
    url = reverse("arenden:anmal", args=[hemligt.pk])
    assert klient.get(url).context["form"].fields["sammantrade"].queryset.get() == mote
    protokoll.uppratta(mote, user=cast.sekreterare)
    assert "har inget sammanträde" in klient.get(url).content.decode()
    svar = klient.post(url, {"sammantrade": mote.pk, "slag": "beslutsarende"})
    assert svar.status_code == 200
    assert "Välj ett giltigt alternativ" in svar.content.decode()
    hemligt.refresh_from_db()
    assert hemligt.state == "beredd" and not hemligt.punkter.exists()


def test_who_may_not_anmala_gets_403(cast, hemligt):
    for user in (cast.handlaggare, cast.registrator, cast.stabschef):
        klient = Client()
        klient.force_login(user)
        assert klient.get(reverse("arenden:anmal", args=[hemligt.pk])).status_code == 403


def test_the_api_sends_the_step_to_its_page(cast, hemligt):
    api = klient(cast.sekreterare)
    svar = api.get(f"/api/arenden/{hemligt.pk}/overgangar/")
    las = svar.json()["version"]
    svar = api.post(
        f"/api/arenden/{hemligt.pk}/overgangar/",
        {"overgang": "anmal", "status": "beredd", "version": las},
        format="json",
    )
    assert svar.status_code == 422, svar.content
    hemligt.refresh_from_db()
    assert hemligt.state == "beredd"


def test_the_task_puts_it_on_the_chosen_meeting(cast):
    arende = cast.berett("Riktlinjer")
    [granska] = [t for t in uppgifter.uppgifter(arende) if t.flow_task.name == "granska"]
    uppgifter.granska(granska, cast.stabschef, godkann=True)
    [anmal] = [t for t in uppgifter.uppgifter(arende) if t.flow_task.name == "anmal"]
    mote = factories.planerat(arende, cast.sekreterare)
    punkt = uppgifter.anmal(anmal, cast.sekreterare, sammantrade=mote)
    assert punkt.arende == arende and punkt.sammantrade == mote
    assert Arende.objects.get(pk=arende.pk).state == "anmalt"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_at_once_put_it_on_one_list(cast):
    """Two nämndsekreterare put the same ärende on two meetings at the same moment: one item,
    one step; the other is refused (the ärende is anmält already) and saves nothing."""
    arende = cast.berett("Riktlinjer")
    moten = [
        factories.planerat(arende, cast.sekreterare, datetime.date(2025, 11, d)) for d in (12, 19)
    ]
    start = threading.Barrier(2)
    fel = []

    def anmal(mote):
        try:
            start.wait()
            protokoll.lagg_till_punkt(mote, user=cast.sekreterare, arende=arende)
        except Exception as err:  # noqa: BLE001 — what each writer met is the result
            fel.append(err)
        finally:
            close_old_connections()

    trådar = [threading.Thread(target=anmal, args=(m,)) for m in moten]
    for t in trådar:
        t.start()
    for t in trådar:
        t.join()
    assert connection.vendor == "postgresql"
    assert Punkt.objects.filter(arende=arende).count() == 1
    assert len(fel) == 1
    assert Arende.objects.get(pk=arende.pk).state == "anmalt"


def test_a_bordlagt_arende_is_taken_up_at_a_later_meeting_not_the_same(cast):
    """KL 5 kap. 50 §: bordlagt at a meeting, the ärende is taken up at a later one; the
    meeting that postponed it is not offered, and putting it there again is refused."""
    from tests.test_sammantraden_regler import Mote

    mote = Mote(cast)
    mote.kalla()
    protokoll.besluta(
        mote.arendepunkt,
        user=mote.sek,
        utfall=Punkt.Utfall.BORDLAGGNING,
        motivering="Mer underlag behövs.",
    )
    arende = Arende.objects.get(pk=mote.arende.pk)
    assert arende.state == "bordlagt"
    senare = factories.planerat(arende, cast.sekreterare, datetime.date(2025, 12, 10))
    klient = _sekreterare(cast)
    url = reverse("arenden:anmal", args=[arende.pk])
    assert list(klient.get(url).context["form"].fields["sammantrade"].queryset) == [senare]
    with pytest.raises(ValidationError, match="står redan på föredragningslistan"):
        protokoll.lagg_till_punkt(mote.sammantrade, user=mote.sek, arende=arende)
    assert Arende.objects.get(pk=arende.pk).state == "bordlagt"
    assert arende.punkter.count() == 1
    factories.anmal(arende, cast.sekreterare, senare)
    assert Arende.objects.get(pk=arende.pk).state == "anmalt"


def test_an_arende_anmalt_before_the_rule_without_an_item_is_taken_back(cast, monkeypatch):
    """Anmält before 2026-12-06 with no item: listed after the upgrade, and taken back to
    beredd by a nämndsekreterare, with the reason in its history; its secret content closes
    to the nämndsekreterare again."""
    import flows.arende

    hemligt = cast.berett("Patienten NN klagar", sekretess_lagrum="OSL 25 kap. 1 §")
    pa_listan = cast.berett("Ett ärende på listan")
    factories.anmal(pa_listan, cast.sekreterare)
    with monkeypatch.context() as fore:  # the step as it was taken before the rule
        fore.setattr(flows.arende, "_inte_pa_foredragningslistan", lambda arende: False)
        do_transition(hemligt, "anmal", cast.sekreterare)
    assert hemligt.state == "anmalt"

    ut = io.StringIO()
    call_command("anmalda_utan_punkt", stdout=ut)
    assert f"anmält utan punkt: {hemligt.diarienummer} (HSN)" in ut.getvalue()
    assert str(pa_listan.diarienummer) not in ut.getvalue()
    with pytest.raises(CommandError, match="--som"):
        call_command("anmalda_utan_punkt", "--stryk", stdout=io.StringIO())
    with pytest.raises(CommandError, match="kunde inte"):  # who is no nämndsekreterare
        call_command(
            "anmalda_utan_punkt",
            "--stryk",
            "--som",
            cast.handlaggare.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Arende.objects.get(pk=hemligt.pk).state == "anmalt"

    ut = io.StringIO()
    call_command("anmalda_utan_punkt", "--stryk", "--som", cast.sekreterare.username, stdout=ut)
    assert "1 av 1 ärenden är beredda igen." in ut.getvalue()
    hemligt = Arende.objects.get(pk=hemligt.pk)
    assert hemligt.state == "beredd"
    senaste = history(hemligt).last()
    assert (senaste.transition, senaste.actor) == ("stryk", cast.sekreterare)
    assert "utan en punkt" in senaste.comment
    sek = type(cast.sekreterare).objects.get(pk=cast.sekreterare.pk)
    assert not sek.has_perm("arenden.view_sekretess", hemligt)
    assert Arende.objects.get(pk=pa_listan.pk).state == "anmalt"  # on a list: left alone


@pytest.mark.parametrize("steg", ["aterremittera", "bordlagga"])
def test_aterremiss_and_bordlaggning_need_the_utfall_under_the_item(cast, steg):
    """Återremitterat or bordlagt is the nämnd's utfall, recorded under the ärende's item of
    the protokoll (KL 5 kap. 50–51 §§): the step without it is refused, whoever asks, and the
    item is not left waiting for a beslut that can never be recorded."""
    arende = cast.berett("Riktlinjer")
    punkt = factories.anmal(arende, cast.sekreterare)
    with pytest.raises(RequirementMissing, match="förd till protokollet under ärendets punkt"):
        do_transition(arende, steg, cast.sekreterare, "Mer underlag")
    arende.refresh_from_db()
    assert arende.state == "anmalt"
    protokoll.kalla(punkt.sammantrade, user=cast.sekreterare)
    utfall = {"aterremittera": "aterremiss", "bordlagga": "bordlaggning"}[steg]
    protokoll.besluta(punkt, user=cast.sekreterare, utfall=utfall, motivering="Mer underlag")
    arende.refresh_from_db()
    assert arende.state == {"aterremittera": "aterremitterat", "bordlagga": "bordlagt"}[steg]
    punkt.refresh_from_db()
    assert punkt.utfall == utfall
    assert not arende.punkter.oavgjorda().exists()


def _utan_protokollet(arende, sammantrade, *, punkt=None):
    """A beslut written beside the protokoll, as code that bypassed it would (held by
    ``punkt`` when given), then the step asked for: refused, and nothing kept."""
    with pytest.raises(RequirementMissing, match="under ärendets punkt medan"):
        with transaction.atomic():
            beslut = Beslut.objects.create(
                arende=arende,
                organ=arende.organ,
                datum=sammantrade.datum,
                text="Bifall.",
                sammantrade=sammantrade,
            )
            if punkt is not None:
                Punkt.objects.filter(pk=punkt.pk).update(beslutet=beslut, utfall="bifall")
            do_transition(arende, "besluta", User.objects.get(username="sekreterare-HSN"))
    assert not Beslut.objects.filter(arende=arende).exists()


def test_a_beslut_is_the_one_under_the_items_of_a_meeting_being_held(cast):
    """A beslut is what the protokoll records under the ärende's item while the meeting is
    held (KL 8 kap. 12 §). One recorded against another meeting (whose protokoll was
    justerat long ago, and would have let it be sent at once), one beside the item, or one
    written into a protokoll not being held is refused by the engine, whoever asks; the task
    records it under the item."""
    arende = cast.berett("Riktlinjer")
    punkt = factories.anmal(arende, cast.sekreterare)
    annat = Sammantrade.objects.create(
        organ=arende.organ,
        datum=datetime.date(2025, 10, 1),
        plats="Sal B",
        justerat=datetime.datetime(2025, 10, 8, 9, tzinfo=datetime.UTC),
    )
    _utan_protokollet(arende, annat)
    _utan_protokollet(arende, punkt.sammantrade)  # the right meeting, not under the item
    _utan_protokollet(arende, punkt.sammantrade, punkt=punkt)  # the meeting only planned
    [besluta] = [t for t in uppgifter.uppgifter(arende) if t.flow_task.name == "besluta"]
    with pytest.raises(ValidationError, match="Beslut förs in när sammanträdet hålls"):
        uppgifter.besluta(besluta, cast.sekreterare, beslut="Bifall.")
    assert Arende.objects.get(pk=arende.pk).state == "anmalt"

    protokoll.kalla(punkt.sammantrade, user=cast.sekreterare)
    beslut = uppgifter.besluta(besluta, cast.sekreterare, beslut="Bifall.")
    punkt.refresh_from_db()
    assert (punkt.utfall, punkt.beslutet, beslut.text) == ("beslutat", beslut, "Bifall.")
    assert (beslut.sammantrade, beslut.datum) == (punkt.sammantrade, punkt.sammantrade.datum)
    assert Arende.objects.get(pk=arende.pk).state == "beslutat"


def _bordlagt_vid(cast, arende, datum):
    """The ärende anmält to a kallat meeting on ``datum`` and bordlagt there."""
    mote = factories.planerat(arende, cast.sekreterare, datum)
    punkt = factories.anmal(arende, cast.sekreterare, mote)
    protokoll.kalla(mote, user=cast.sekreterare)
    protokoll.besluta(punkt, user=cast.sekreterare, utfall="bordlaggning", motivering="Senare")
    return mote, punkt


def test_an_arende_bordlagt_before_items_were_kept_is_bordlagt_again(cast):
    """A bordläggning taken before the rule left no item (the button took the step): the
    next bordläggning, under its own item, is not refused for the missing old one."""
    arende = cast.berett("Riktlinjer")
    _forsta, punkt = _bordlagt_vid(cast, arende, datetime.date(2025, 10, 1))
    Punkt.objects.filter(pk=punkt.pk).delete()  # as the button left it: no item
    _bordlagt_vid(cast, arende, datetime.date(2025, 11, 12))
    assert Arende.objects.get(pk=arende.pk).state == "bordlagt"
    assert [h.transition for h in history(arende)].count("bordlagga") == 2


def test_a_beslut_is_not_recorded_at_the_meeting_that_postponed_it(cast):
    """Bordlagt at a meeting whose protokoll is justerat, then anmält to the next: no beslut
    goes under the first meeting's item (it holds the bordläggning), and one recorded
    against that meeting beside it is refused."""
    arende = cast.berett("Riktlinjer")
    forsta, punkt = _bordlagt_vid(cast, arende, datetime.date(2025, 10, 1))
    Sammantrade.objects.filter(pk=forsta.pk).update(
        justerat=datetime.datetime(2025, 10, 8, 9, tzinfo=datetime.UTC)
    )
    factories.anmal(arende, cast.sekreterare)
    with pytest.raises(ValidationError, match="redan fört till protokollet"):
        protokoll.besluta(punkt, user=cast.sekreterare, utfall="bifall", beslut="Bifall.")
    _utan_protokollet(arende, forsta)
    assert Arende.objects.get(pk=arende.pk).state == "anmalt"


def test_a_form_read_before_the_arende_changed_is_refused_and_nothing_saved(cast, hemligt):
    """The nämndsekreterare opens Anmäl; meanwhile the handläggare takes the ärende back,
    rewrites the förslag and marks it beredd again. The form sent then is refused with the
    reason, nothing is put on the list, and sent again as it now reads, it is anmält."""
    hsn = factories.planerat(hemligt, cast.sekreterare)
    klient = _sekreterare(cast)
    url = reverse("arenden:anmal", args=[hemligt.pk])
    sida = klient.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', sida)[1]
    do_transition(hemligt, "ateruppta_beredning", cast.handlaggare)
    factories.forslag_till_beslut(hemligt, cast.handlaggare, forslag="Att avslå.", sandlista=())
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    data = {"sammantrade": hsn.pk, "slag": "beslutsarende", "version": version}
    svar = klient.post(url, data)
    assert svar.status_code == 200
    assert "har ändrats" in svar.content.decode()
    hemligt.refresh_from_db()
    assert hemligt.state == "beredd" and not hemligt.punkter.exists()
    # the form shown again carries the version now: sent as it is, it goes through
    ny = re.search(r'name="version" value="(\d+)"', svar.content.decode())[1]
    assert klient.post(url, {**data, "version": ny}).status_code == 302
    hemligt.refresh_from_db()
    assert hemligt.state == "anmalt"


def _punktformular(klient, mote) -> tuple[str, dict]:
    sida = klient.get(reverse("arenden:sammantrade", args=[mote.pk])).content.decode()
    url = reverse("arenden:mote_punkt", args=[mote.pk])
    formular = re.search(
        r'<form[^>]*action="' + re.escape(url) + r'"[^>]*>(.*?)</form>', sida, re.S
    )
    dolda = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', formular[1]))
    return url, dolda


def test_the_meeting_pages_item_form_puts_an_arende_on_the_list_only_as_it_was_read(cast):
    """ "Lägg till punkt" on the meeting page offers the ärenden ready for decision: each with
    its version as the page was read. The handläggare takes the chosen one back, rewrites the
    förslag and marks it beredd again: the form sent then is refused with the reason; a form
    that does not say the version it read is refused too; read again, it goes through."""
    arende = cast.berett("Ny vårdcentral i Ånge")
    mote = factories.planerat(arende, cast.sekreterare)
    klient = _sekreterare(cast)
    url, dolda = _punktformular(klient, mote)
    assert f"{arende.pk}:" in dolda["punkt-versioner"]
    do_transition(arende, "ateruppta_beredning", cast.handlaggare, "Komplettera")
    factories.forslag_till_beslut(arende, cast.handlaggare, forslag="Att avslå.", sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    data = {**dolda, "punkt-arende": arende.pk, "punkt-typ": "arende"}
    svar = klient.post(url, data, follow=True)
    assert "har ändrats" in svar.content.decode()
    svar = klient.post(url, {**data, "inskick": "ny-1", "punkt-versioner": ""}, follow=True)
    assert "Formuläret kom inte från sammanträdets sida" in svar.content.decode()
    arende.refresh_from_db()
    assert arende.state == "beredd" and not arende.punkter.exists()
    url, dolda = _punktformular(klient, mote)
    svar = klient.post(
        url, {**dolda, "punkt-arende": arende.pk, "punkt-typ": "arende"}, follow=True
    )
    assert "Punkten är tillagd på föredragningslistan." in svar.content.decode()
    arende.refresh_from_db()
    assert arende.state == "anmalt"
