"""A delegated matter never goes to the nämnd: the delegat decides it straight from *beredd*
(KL 6 kap. 37 §, 7 kap. 5 §) and the ärende is beslutat by the step besluta_pa_delegation.
No beslutat without its record: a delegationsbeslut by the delegat (or ersättare) of a row of
the ärende's own nämnd's delegationsordning, valid on the day of the beslut (FL 31 §: who
decided). Everything refused leaves the ärende as it was. Over HTTP the delegat finds the
ärende on "Mina ärenden" and on its page; and on PostgreSQL, two delegater deciding at the
same moment make one beslut and one step."""

import datetime
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arenden.delegering.services import att_besluta as delegerat_att_besluta
from arenden.delegering.services import fatta_delegationsbeslut, lagg_till_delegationspunkt
from arenden.handlaggning.services import satt_sandlista, tilldela
from arenden.models import Arende, Beslut, Delegationspunkt, Person
from arenden.organisation.roles import DELEGAT
from flows import uppgifter
from tests import factories
from workflow.engine import TransitionNotAllowed, allowed_transitions, do_transition, history
from workflow.models import LocalRole

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 11, 12)


@pytest.fixture
def cast():
    return factories.Cast()


def _delegat(namn, personnamn):
    user = factories.user(namn)
    factories.person(personnamn, anvandare=user, titel="enhetschef")
    return user


@pytest.fixture
def delegat(cast):
    return _delegat("delegat-HSN", "Dora Delegat")


def _punkt(organ, delegat, **kwargs):
    return factories.delegationspunkt(
        organ=organ,
        nummer=kwargs.pop("nummer", "3.2"),
        delegat=delegat.person,
        lagrum="KL 6 kap. 37 §",
        **kwargs,
    )


@pytest.fixture
def punkt(cast, delegat):
    return _punkt(cast.organ, delegat)


def _beredd(cast, rubrik="Remiss om vårdval"):
    arende = cast.registrera(rubrik)
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    satt_sandlista(arende, ["Kommunförbundet"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    return arende


@pytest.fixture
def beredd(cast):
    return _beredd(cast)


def _steg(arende):
    return [h.transition for h in history(arende)]


def test_the_delegat_decides_a_beredd_arende_and_it_never_goes_to_the_namnd(beredd, punkt, delegat):
    beslut = fatta_delegationsbeslut(beredd, user=delegat, punkt=punkt, datum=DAG, text="Yttra")
    beredd.refresh_from_db()
    assert beredd.state == "beslutat" and beredd.beslutat == DAG
    assert beslut.slag == Beslut.Slag.DELEGATIONSBESLUT and beslut.fattat_av == delegat
    assert beslut.delegationspunkt == punkt and beslut.lagrum == "KL 6 kap. 37 §"
    senaste = list(history(beredd))[-1]
    assert senaste.transition == "besluta_pa_delegation" and senaste.actor_id == delegat.pk
    assert "anmal" not in _steg(beredd) and not beredd.punkter.exists()
    # the process goes on to the expediering; Granska was left for a step it did not lead to
    assert [t.flow_task.name for t in uppgifter.uppgifter(beredd)] == ["expediera"]


def test_the_ersattare_may_decide_too(beredd, punkt):
    ersattare = _delegat("ersattare-HSN", "Erik Ersättare")
    punkt.ersattare = ersattare.person
    punkt.save()
    fatta_delegationsbeslut(beredd, user=ersattare, punkt=punkt, datum=DAG, text="Yttra")
    beredd.refresh_from_db()
    assert beredd.state == "beslutat"


def _orort(arende, steg_fore):
    """Nothing changed: no beslut, still beredd, no step added."""
    assert not Beslut.objects.filter(arende=arende).exists()
    arende.refresh_from_db()
    assert arende.state == "beredd" and arende.beslutat is None
    assert _steg(arende) == steg_fore


def _vagras(arende, **kwargs) -> str:
    fore = _steg(arende)
    with pytest.raises(ValidationError) as fel:
        fatta_delegationsbeslut(arende, text="Yttra", **kwargs)
    _orort(arende, fore)
    return " ".join(fel.value.messages)


def test_who_is_not_delegat_is_refused(beredd, punkt, cast):
    for user in (cast.handlaggare, cast.sekreterare, cast.stabschef):
        assert "inte delegat enligt punkt 3.2" in _vagras(beredd, user=user, punkt=punkt, datum=DAG)


def test_an_ended_row_is_refused(beredd, punkt, delegat):
    punkt.giltig_till = datetime.date(2025, 6, 30)
    punkt.save()
    assert "inte delegat enligt punkt 3.2 den 2025-11-12" in _vagras(
        beredd, user=delegat, punkt=punkt, datum=DAG
    )


def test_a_row_of_another_namnd_is_refused(beredd, delegat):
    annan = _punkt(factories.organ("KS"), delegat)
    assert "annan nämnd" in _vagras(beredd, user=delegat, punkt=annan, datum=DAG)


def test_not_from_under_beredning(cast, punkt, delegat):
    arende = cast.registrera("Ännu under beredning")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    fore = _steg(arende)
    with pytest.raises(ValidationError, match="fattas när ärendet är berett"):
        fatta_delegationsbeslut(arende, user=delegat, punkt=punkt, datum=DAG, text="Yttra")
    assert not Beslut.objects.exists()
    arende.refresh_from_db()
    assert arende.state == "under_beredning" and _steg(arende) == fore


# -- the step itself, whoever calls the engine: refused without its record ------------------


def _steget_vagras(arende, user):
    fore = _steg(arende)
    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, "besluta_pa_delegation", user)
    arende.refresh_from_db()
    assert arende.state == "beredd" and _steg(arende) == fore


def test_without_a_beslut_the_step_is_refused_even_to_the_delegat(beredd, punkt, delegat):
    assert "besluta_pa_delegation" in {t.id for t in allowed_transitions(beredd, delegat)}
    _steget_vagras(beredd, delegat)


def _skrivet_direkt(arende, user, punkt, datum=DAG, slag=Beslut.Slag.DELEGATIONSBESLUT):
    return Beslut.objects.create(
        arende=arende,
        organ=arende.organ,
        datum=datum,
        text="Skrivet direkt",
        slag=slag,
        fattat_av=user,
        delegationspunkt=punkt,
    )


def test_a_beslut_by_who_is_not_the_rows_delegat_does_not_make_it_beslutat(
    beredd, punkt, delegat, cast
):
    _skrivet_direkt(beredd, cast.handlaggare, punkt)
    _steget_vagras(beredd, cast.handlaggare)  # the record is not a delegat's
    _steget_vagras(beredd, delegat)  # nor may the delegat take the step for another's beslut


def test_a_beslut_on_an_ended_row_does_not_make_it_beslutat(beredd, punkt, delegat):
    punkt.giltig_till = datetime.date(2025, 6, 30)
    punkt.save()
    _skrivet_direkt(beredd, delegat, punkt)
    _steget_vagras(beredd, delegat)


def test_a_beslut_on_another_namnds_row_does_not_make_it_beslutat(beredd, delegat):
    _skrivet_direkt(beredd, delegat, _punkt(factories.organ("KS"), delegat))
    _steget_vagras(beredd, delegat)


def test_an_ordforandebeslut_or_a_beslut_without_row_is_no_delegationsbeslut(
    beredd, punkt, delegat
):
    _skrivet_direkt(beredd, delegat, None, slag=Beslut.Slag.ORDFORANDEBESLUT)
    _steget_vagras(beredd, delegat)
    _skrivet_direkt(beredd, delegat, None)
    _steget_vagras(beredd, delegat)


def test_the_namndsekreterare_is_not_offered_the_delegated_step(beredd, punkt, cast):
    Beslut.objects.create(
        arende=beredd, organ=cast.organ, datum=DAG, text="§", sammantrade=factories.mote(beredd)
    )
    assert "besluta_pa_delegation" not in {
        t.id for t in allowed_transitions(beredd, cast.sekreterare)
    }
    _steget_vagras(beredd, cast.sekreterare)


def test_the_delegationsbeslut_is_accounted_for_so_a_later_besluta_needs_its_own(
    beredd, punkt, delegat, cast
):
    """Reopened and brought to a meeting, the ärende needs a beslut of that meeting: the
    delegationsbeslut taken earlier does not count twice."""
    fatta_delegationsbeslut(beredd, user=delegat, punkt=punkt, datum=DAG, text="Yttra")
    Arende.objects.filter(pk=beredd.pk).update(state="anmalt")  # as if brought to a meeting
    beredd.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        do_transition(beredd, "besluta", cast.sekreterare)


# -- over HTTP --------------------------------------------------------------------------------


def test_the_delegat_finds_it_on_mina_arenden_and_decides_from_the_page(
    client, cast, beredd, punkt, delegat, django_assert_num_queries
):
    annan = _beredd(cast, "Annan remiss")
    under_ks = _punkt(factories.organ("KS"), delegat, nummer="9.9")
    assert under_ks.organ_id != beredd.organ_id
    client.force_login(delegat)
    url = reverse("arenden:mina_arenden")
    client.get(url)  # warm the session
    antal = _antal(client, url)
    sida = client.get(url).content.decode()
    assert "Att besluta på delegation" in sida
    assert f"/arende/{beredd.pk}/delegationsbeslut/" in sida
    assert f"/arende/{annan.pk}/delegationsbeslut/" in sida
    # three more ärenden to decide: the same number of queries
    for i in range(3):
        _beredd(cast, f"Remiss {i}")
    with django_assert_num_queries(antal):
        sida = client.get(url).content.decode()
    assert sida.count("Fatta delegationsbeslut:") == 5

    formular = client.get(f"/arende/{beredd.pk}/delegationsbeslut/").content.decode()
    assert "Fatta delegationsbeslut" in formular
    svar = client.post(
        f"/arende/{beredd.pk}/delegationsbeslut/",
        factories.fran_arendesidan(
            beredd, {"punkt": punkt.pk, "datum": "2025-11-12", "text": "Nämnden yttrar sig."}
        ),
    )
    assert svar.status_code == 302
    beredd.refresh_from_db()
    assert beredd.state == "beslutat"
    assert f"/arende/{beredd.pk}/delegationsbeslut/" not in client.get(url).content.decode()


def test_a_beslut_on_a_form_read_before_the_arende_changed_is_refused(client, beredd, punkt, cast):
    """The delegat opens the form; meanwhile the stabschef sends the ärende back, the
    handläggare rewrites the förslag till beslut and marks it beredd again. The state is as
    the delegat saw it, the underlag is not: the beslut is refused and nothing is decided."""
    client.force_login(punkt.delegat.anvandare)
    sida = client.get(f"/arende/{beredd.pk}/delegationsbeslut/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', sida).group(1)
    do_transition(beredd, "ateruppta_beredning", cast.stabschef, "Komplettera underlaget.")
    factories.forslag_till_beslut(beredd, cast.handlaggare, forslag="Att avstyrka remissen.")
    do_transition(beredd, "markera_beredd", cast.handlaggare)
    data = {
        "punkt": punkt.pk,
        "datum": "2025-11-12",
        "text": "Nämnden tillstyrker.",
        "version": version,
    }
    svar = client.post(f"/arende/{beredd.pk}/delegationsbeslut/", data)
    assert svar.status_code == 200
    assert "Ärendet har ändrats sedan du öppnade sidan" in svar.content.decode()
    beredd.refresh_from_db()
    assert beredd.state == "beredd" and not Beslut.objects.exists()


def _antal(client, url) -> int:
    with CaptureQueriesContext(connection) as fangat:
        client.get(url)
    return len(fangat)


def test_who_is_no_delegat_has_no_such_list_and_gets_403(client, cast, beredd, punkt):
    client.force_login(cast.handlaggare)
    assert "Att besluta på delegation" not in client.get("/mina-arenden/").content.decode()
    svar = client.post(
        f"/arende/{beredd.pk}/delegationsbeslut/",
        {"punkt": punkt.pk, "datum": "2025-11-12", "text": "Ja"},
    )
    assert svar.status_code == 403
    beredd.refresh_from_db()
    assert beredd.state == "beredd" and not Beslut.objects.exists()


# -- two delegater at the same moment, on PostgreSQL ----------------------------------------


def _at_once(*sendings):
    """Each (client, url, data) is posted at the same moment; the responses, in order."""
    barrier = threading.Barrier(len(sendings), timeout=30)
    svar, fel = [None] * len(sendings), []

    def skicka(i, klient, url, data):
        try:
            barrier.wait()
            svar[i] = klient.post(url, data)
        except Exception as error:  # noqa: BLE001 - reported below
            fel.append(error)
        finally:
            connection.close()

    tradar = [threading.Thread(target=skicka, args=(i, *s)) for i, s in enumerate(sendings)]
    for trad in tradar:
        trad.start()
    for trad in tradar:
        trad.join()
    assert fel == []
    return svar


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_delegater_at_the_same_moment_one_beslut_one_step():
    cast = factories.Cast()
    dora = _delegat("delegat-dora", "Dora Delegat")
    erik = _delegat("delegat-erik", "Erik Ersättare")
    punkt = _punkt(cast.organ, dora, ersattare=erik.person)
    for runda in range(3):
        arende = _beredd(cast, f"Remiss {runda}")
        url = f"/arende/{arende.pk}/delegationsbeslut/"
        klienter = []
        for user in (dora, erik):
            klient = Client()
            klient.force_login(user)
            klienter.append(klient)
        # both read the form before either decides
        las = factories.fran_arendesidan(arende, {"punkt": punkt.pk, "datum": "2025-11-12"})
        svar = _at_once(
            *(
                (klient, url, {**las, "text": namn})
                for klient, namn in zip(klienter, ("Dora", "Erik"), strict=True)
            )
        )
        assert sorted(s.status_code for s in svar) == [200, 302]
        [vinnare] = [i for i, s in enumerate(svar) if s.status_code == 302]
        forlorare = svar[1 - vinnare].content.decode()
        # the second is told the ärende changed since it read the form: the other's beslut
        assert "Ärendet har ändrats sedan du öppnade sidan" in forlorare
        [beslut] = Beslut.objects.filter(arende=arende)
        assert beslut.fattat_av == (dora, erik)[vinnare]
        arende.refresh_from_db()
        assert arende.state == "beslutat"
        assert _steg(arende).count("besluta_pa_delegation") == 1


def test_a_delegat_who_reads_the_arende_is_offered_the_step_on_its_page(client, cast, beredd):
    """The stabschef is often the delegat too: the ärende page offers the delegated step,
    which leads to the delegationsbeslut form; the handläggare is not offered it."""
    factories.person("Stina Stabschef", anvandare=cast.stabschef)
    _punkt(cast.organ, cast.stabschef)
    client.force_login(cast.stabschef)
    sida = client.get(reverse("arenden:arende", args=[beredd.pk])).content.decode()
    assert f'href="/arende/{beredd.pk}/delegationsbeslut/">Besluta på delegation' in sida
    client.force_login(cast.handlaggare)
    sida = client.get(reverse("arenden:arende", args=[beredd.pk])).content.decode()
    assert "Besluta på delegation" not in sida


# -- the delegat reads what they decide in (KL 6 kap. 37 §, FL 23 §) --------------------------


def _ny(user):
    """The user as a new request loads it: no roles cached."""
    return type(user).objects.get(pk=user.pk)


def test_the_delegat_opens_the_arende_page_and_reads_it_where_they_may_decide(
    client, cast, beredd, punkt, delegat
):
    """A delegat with no other role reads the underlag of the matters they may decide: the
    ärende page opens, and the sekretess-marked content is theirs to read while it is beredd
    or anmält, not before and not after the beslut (OSL need to know). Another nämnd's
    ärenden stay closed to them."""
    assert _ny(delegat).has_perm("arenden.view_arende", beredd)
    assert _ny(delegat).has_perm("arenden.view_sekretess", beredd)
    client.force_login(delegat)
    assert client.get(reverse("arenden:arende", args=[beredd.pk])).status_code == 200

    under_beredning = cast.registrera("Ännu inte berett")
    assert _ny(delegat).has_perm("arenden.view_arende", under_beredning)
    assert not _ny(delegat).has_perm("arenden.view_sekretess", under_beredning)

    fatta_delegationsbeslut(beredd, user=delegat, punkt=punkt, datum=DAG, text="Yttra")
    beredd.refresh_from_db()
    assert beredd.state == "beslutat"
    assert not _ny(delegat).has_perm("arenden.view_sekretess", beredd)

    annan = factories.Cast("KS").registrera("Kommunstyrelsens ärende")
    assert not _ny(delegat).has_perm("arenden.view_arende", annan)
    assert client.get(reverse("arenden:arende", args=[annan.pk])).status_code in (403, 404)


def test_the_delegats_reading_ends_with_their_last_row(cast, beredd, punkt, delegat):
    """The role follows the rows: it holds to the last day of the delegat's last row, and the
    day after it is gone, with no one taking it away. Ending the row on a past day ends it
    at once; a row with no one left on it leaves no role behind."""
    from arenden.delegering.services import avsluta_delegationspunkt

    assert _ny(delegat).has_perm("arenden.view_arende", beredd)
    igar = timezone.localdate() - datetime.timedelta(days=1)
    avsluta_delegationspunkt(punkt, user=cast.sekreterare, datum=igar, genom="HSN § 22")
    assert not _ny(delegat).has_perm("arenden.view_arende", beredd)
    assert not _ny(delegat).has_perm("arenden.view_sekretess", beredd)
    # a new row, still running, gives it back
    _punkt(cast.organ, delegat, nummer="3.3")
    assert _ny(delegat).has_perm("arenden.view_sekretess", beredd)


def test_a_row_that_starts_later_gives_the_role_on_its_first_day_and_a_gap_gives_none(
    cast, beredd, delegat, monkeypatch
):
    """A delegationsordning adopted today for next month makes no one a delegat today: who is
    not yet deciding on the nämnd's behalf does not read its secret beredda ärenden (OSL: need
    to know). Between two of a person's rows, with a gap, they hold no role either; rows that
    follow on the next day are one period. The role starts and ends with the rows on its own."""
    idag = timezone.localdate()
    dag = datetime.timedelta(days=1)
    _punkt(cast.organ, delegat, nummer="3.1", giltig_fran=idag - 100 * dag, giltig_till=idag - dag)
    _punkt(
        cast.organ, delegat, nummer="3.2", giltig_fran=idag + 10 * dag, giltig_till=idag + 19 * dag
    )
    _punkt(cast.organ, delegat, nummer="3.3", giltig_fran=idag + 20 * dag)
    assert sorted(
        LocalRole.objects.filter(role=DELEGAT, user=delegat).values_list(
            "valid_from", "valid_until"
        )
    ) == [(idag - 100 * dag, idag - dag), (idag + 10 * dag, None)]

    def kan_lasa(pa_dag):
        nu = timezone.now() + (pa_dag - idag)
        monkeypatch.setattr(timezone, "now", lambda: nu)
        svar = (
            _ny(delegat).has_perm("arenden.view_sekretess", beredd),
            beredd in delegerat_att_besluta(_ny(delegat)),
        )
        monkeypatch.undo()
        return svar

    assert kan_lasa(idag - 50 * dag) == (True, True)
    assert kan_lasa(idag) == (False, False)
    assert kan_lasa(idag + 9 * dag) == (False, False)
    assert kan_lasa(idag + 10 * dag) == (True, True)
    assert kan_lasa(idag + 400 * dag) == (True, True)


def test_the_ersattare_of_a_row_reads_too_and_a_person_without_account_gets_nothing(
    cast, beredd, punkt
):
    ersattare = _delegat("ersattare-HSN", "Erik Ersättare")
    punkt.ersattare = ersattare.person
    punkt.save()
    assert _ny(ersattare).has_perm("arenden.view_sekretess", beredd)
    fore = set(LocalRole.objects.filter(role=DELEGAT).values_list("user_id", flat=True))
    factories.delegationspunkt(
        organ=cast.organ,
        nummer="4.1",
        beslutsomrade="Anställning av enhetschefer",
        befattning="förvaltningschef",
        ersattare=factories.person("Utan Konto"),
    )
    assert set(LocalRole.objects.filter(role=DELEGAT).values_list("user_id", flat=True)) == fore
    assert fore == {punkt.delegat.anvandare_id, ersattare.pk}


# -- brådskande ärenden: the ordförande decides on the nämnd's behalf (KL 6 kap. 39 §) -----------


@pytest.fixture
def ordforande(cast):
    user = factories.user("ordforande-HSN")
    person = factories.person("Olga Ordförande", anvandare=user, typ=Person.Typ.FORTROENDEVALD)
    factories.ledamot(cast.organ, person, parti="S")
    return user


def _bradskande_rad(cast, delegat=None, **falt):
    return lagg_till_delegationspunkt(
        cast.organ,
        user=cast.sekreterare,
        nummer="1.1",
        beslutsomrade="Beslut i ärenden som är så brådskande att nämndens avgörande inte kan "
        "avvaktas",
        delegat=delegat.person if delegat else None,
        giltig_fran=datetime.date(2025, 1, 1),
        antagen_genom="HSN 2025-02-12 § 13",
        ej_undantaget=True,
        bradskande=True,
        **falt,
    )


def test_an_ordforandebeslut_is_taken_from_beredd_under_the_row_for_bradskande_arenden(
    cast, beredd, ordforande
):
    rad = _bradskande_rad(cast, ordforande)
    assert "besluta_pa_delegation" in {t.id for t in allowed_transitions(beredd, ordforande)}
    beslut = fatta_delegationsbeslut(
        beredd, user=ordforande, punkt=rad, datum=DAG, text="Regionen yttrar sig enligt förslaget."
    )
    beredd.refresh_from_db()
    assert beredd.state == "beslutat" and _steg(beredd)[-1] == "besluta_pa_delegation"
    assert beslut.slag == Beslut.Slag.ORDFORANDEBESLUT
    assert beslut.lagrum == "KL 6 kap. 39 §" and beslut.fattat_av == ordforande


def test_the_row_for_bradskande_arenden_goes_only_to_ledamoter_by_name(cast, ordforande, delegat):
    with pytest.raises(ValidationError, match="6 kap. 39 §"):
        _bradskande_rad(cast, delegat)  # an enhetschef, not a ledamot
    with pytest.raises(ValidationError, match="inte till en befattning"):
        _bradskande_rad(cast, befattning="förvaltningschef")
    with pytest.raises(ValidationError, match="Dora Delegat är inte ledamot"):
        _bradskande_rad(cast, ordforande, ersattare=delegat.person)
    assert not Delegationspunkt.objects.filter(bradskande=True).exists()


def test_one_kind_of_beslut_never_stands_on_the_other_kinds_row(
    cast, beredd, punkt, delegat, ordforande
):
    rad = _bradskande_rad(cast, ordforande)
    _skrivet_direkt(beredd, ordforande, rad)  # a delegationsbeslut on the 6:39 row
    _steget_vagras(beredd, ordforande)
    _skrivet_direkt(beredd, delegat, punkt, slag=Beslut.Slag.ORDFORANDEBESLUT)
    _steget_vagras(beredd, delegat)
