"""The revisor's pages: the merged timeline, the filtered audit log with its exports, the
chain verification, and search that respects what each user may see."""

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arenden.gemensamt.sidor import PER_SIDA
from arenden.granskning import services as granskning
from arenden.handlaggning.services import tilldela
from tests import factories
from workflow.engine import do_transition
from workflow.models import WorkflowHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def arende(cast):
    arende = cast.registrera("Handslag med Cancerfonden för en bättre palliativ vård")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende


def test_timeline_merges_transitions_and_field_changes(client, cast, arende):
    do_transition(arende, "vila", cast.stabschef, "Inväntar Cancerfondens besked")
    client.force_login(cast.revisor)
    page = client.get(reverse("arenden:tidslinje", args=[arende.pk])).content.decode()
    assert re.search(r"Historiken är obruten: 4 steg och \d+ fältändring(ar)? kontroller", page)
    assert "Inväntar Cancerfondens besked" in page
    # the handläggare field change, with the user named, not an id
    assert "handläggare: – → handlaggare-HSN" in page
    # the state change recorded in the field history names the transition that caused it
    assert "(genom Gör vilande)" in page and "status: Under beredning → Vilande" in page
    # steps by their titles and names, never ids
    assert "Påbörja beredning" in page and "paborja_beredning" not in page


def test_timeline_page_cost_does_not_grow_with_history(client, cast, arende):
    url = reverse("arenden:tidslinje", args=[arende.pk])
    factories.forslag_till_beslut(arende, cast.handlaggare)
    client.force_login(cast.revisor)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(40):
        do_transition(arende, "markera_beredd", cast.handlaggare)
        do_transition(arende, "ateruppta_beredning", cast.handlaggare)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Sida 1 av" in response.content.decode()
    # the chain check reads the entries in one query; nothing else depends on their number
    assert len(many) == len(few)


def test_audit_log_is_for_the_revisor(client, cast, arende):
    url = reverse("arenden:auditlogg")
    assert client.get(url).status_code == 302
    for user in (cast.handlaggare, cast.stabschef, cast.sekreterare):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("arenden:auditlogg_export", args=["csv"])).status_code == 403
    client.force_login(cast.revisor)
    assert client.get(url).status_code == 200


def test_audit_log_filters_by_person_organ_transition_and_period(client, cast, arende):
    other = factories.Cast("RS")
    rs_arende = other.registrera("Färdplan Nära vård")
    tilldela(rs_arende, handlaggare=other.handlaggare, user=other.stabschef)
    old = WorkflowHistory.objects.filter(transition="paborja_beredning").get()
    client.force_login(cast.revisor)
    url = reverse("arenden:auditlogg")

    def shown(**filters):
        page = client.get(url, filters).content.decode()
        return page.count("<td><time")

    assert shown(person="stabschef-HSN") == 1
    assert shown(organ="RS") == 2
    assert shown(overgang="tilldela") == 2
    today = timezone.localdate(old.timestamp)
    assert shown(fran=today, till=today) == 5
    assert shown(till=today - datetime.timedelta(days=1)) == 0
    page = client.get(url, {"fran": "2026-02-01", "till": "2026-01-01"}).content.decode()
    assert "Periodens början ligger efter dess slut." in page


def test_the_meetings_own_steps_are_in_the_audit_log(client, cast, arende):
    """Kallelse, upprättande, justering and anslag are steps a revisor asks about: they stand
    in the audit log beside the ärenden's, by organ, and lead to the sammanträde."""
    from arenden.sammantraden import protokoll

    other = factories.Cast("RS")
    mote = protokoll.planera(
        organ=cast.organ, datum=datetime.date(2025, 11, 12), plats="Umeå", user=cast.sekreterare
    )
    protokoll.lagg_till_punkt(mote, user=cast.sekreterare, rubrik="Aktuellt", typ="aktuellt")
    factories.narvaro(mote, cast.sekreterare)  # the kallelse goes to them
    protokoll.kalla(mote, user=cast.sekreterare)
    client.force_login(cast.revisor)
    url = reverse("arenden:auditlogg")
    page = client.get(url, {"overgang": "kalla"}).content.decode()
    assert page.count("<td><time") == 1
    assert f'href="{reverse("arenden:sammantrade", args=[mote.pk])}"' in page
    assert "Sammanträde 2025-11-12" in page and "sekreterare-HSN" in page
    assert (
        client.get(url, {"organ": "RS", "overgang": "kalla"}).content.decode().count("<td><time")
        == 0
    )
    assert other.organ.kod == "RS"
    response = client.get(reverse("arenden:auditlogg_export", args=["csv"]), {"overgang": "kalla"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [("Sammanträde 2025-11-12", "HSN", "kalla")]


def test_audit_log_exports_csv_and_json(client, cast, arende):
    client.force_login(cast.revisor)
    response = client.get(
        reverse("arenden:auditlogg_export", args=["csv"]), {"person": "handlaggare-HSN"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["tidpunkt", "avser", "organ", "övergång"]
    assert [(r[1], r[3], r[6]) for r in rows[1:]] == [
        (str(arende.diarienummer), "paborja_beredning", "handlaggare-HSN")
    ]
    response = client.get(reverse("arenden:auditlogg_export", args=["json"]))
    data = json.loads(b"".join(response.streaming_content))
    assert [d["övergång"] for d in data] == ["paborja_beredning", "tilldela", ""]
    assert all(len(d["hash"]) == 64 for d in data)


def test_verification_says_plainly_that_the_history_holds(client, cast, arende):
    client.force_login(cast.revisor)
    page = client.post(reverse("arenden:verifiering")).content.decode()
    assert "Historiken är obruten." in page and "3 poster för 1 objekt" in page


@pytest.mark.sqlite  # PostgreSQL refuses the edit itself (tests/test_workflow_postgres.py)
def test_verification_says_plainly_when_the_history_was_altered(client, cast, arende):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {WorkflowHistory._meta.db_table} SET comment = 'ändrad' WHERE seq = 2"
        )
    client.force_login(cast.revisor)
    page = client.post(reverse("arenden:verifiering")).content.decode()
    assert "Historiken är bruten" in page


def test_search_by_diarienummer_words_and_dates_within_what_the_user_may_see(client, cast, arende):
    secret = cast.registrera(
        "Klagomål från patienten NN om vården", sekretess_lagrum="OSL 25 kap. 1 §"
    )
    url = reverse("arenden:sok")
    client.force_login(cast.sekreterare)
    page = client.get(url, {"q": str(arende.diarienummer)}).content.decode()
    assert "1 träffar" in page and "Handslag med Cancerfonden" in page
    page = client.get(url, {"q": "palliativ"}).content.decode()
    assert "Handslag med Cancerfonden" in page
    # the nämndsekreterare may not read the secret text of an ärende that is on no
    # föredragningslista (need to know): a word from it finds nothing,
    # since the hit alone would tell that the word is there
    page = client.get(url, {"q": "patienten NN"}).content.decode()
    assert "0 träffar" in page and str(secret.diarienummer) not in page
    page = client.get(url, {"fran": "2025-01-01"}).content.decode()
    assert str(secret.diarienummer) in page and "Sekretess (OSL 25 kap. 1 §)" in page
    assert "patienten NN" not in page

    client.force_login(cast.revisor)  # the revisor may read it (KL 12 kap. 12 §)
    page = client.get(url, {"q": "klagomål", "fran": "2025-01-01"}).content.decode()
    assert str(secret.diarienummer) in page and "patienten NN" in page

    client.force_login(cast.handlaggare)  # sees only the ärende assigned to them
    page = client.get(url, {"fran": "2000-01-01"}).content.decode()
    assert "1 träffar" in page and str(secret.diarienummer) not in page

    client.force_login(factories.user("utomstaende"))
    assert "0 träffar" in client.get(url, {"q": "palliativ"}).content.decode()
    page = client.get(url, {"q": "HSN 12-20x5"}).content.decode()
    assert "inget giltigt diarienummer" in page


def test_the_revisor_asks_who_moved_an_arende_to_beslutat_and_when(client, cast, arende):
    """By diarienummer (any part), by the step's title, by a person's name: the answer names
    the person, the step and the state in Swedish, and the roles they acted in."""
    cast.sekreterare.first_name, cast.sekreterare.last_name = "Maria", "Lindqvist"
    cast.sekreterare.save()
    cast.handlaggare.first_name, cast.handlaggare.last_name = "Henrik", "Ångström"
    cast.handlaggare.save()
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)

    factories.besluta(arende, cast.sekreterare, "Bifall.")
    annat = cast.registrera("Ett annat ärende")
    client.force_login(cast.revisor)
    url = reverse("arenden:auditlogg")
    form = client.get(url).content.decode()
    assert 'type="date"' in form and "Registrera beslut (ärendets livscykel)" in form
    nummer = f"{arende.lopnummer}-{arende.ar}"
    page = client.get(url, {"diarienummer": nummer, "overgang": "besluta"}).content.decode()
    assert page.count("<td><time") == 1
    assert "Maria Lindqvist" in page and "Registrera beslut" in page and "Beslutat" in page
    assert "Nämndsekreterare" in page and "Anonymous" not in page and "Authenticated" not in page
    # the ärende's steps alone, by any part of its number
    page = client.get(url, {"diarienummer": nummer}).content.decode()
    assert str(annat.diarienummer) not in page and page.count("<td><time") == 6
    # a person by name
    page = client.get(url, {"person": "Henrik"}).content.decode()
    assert page.count("<td><time") == 2 and "Påbörja beredning" in page
    # a malformed number is said, not a 500
    response = client.get(url, {"diarienummer": "HSN 78x"})
    assert response.status_code == 200 and "inget giltigt diarienummer" in response.content.decode()


def test_an_audit_log_page_costs_the_same_however_long_the_history(client, cast, arende):
    client.force_login(cast.revisor)
    url = reverse("arenden:auditlogg")
    client.get(url)  # the session's first request records its activity
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for nr in range(20):
        annat = cast.registrera(f"Ärende {nr}")
        tilldela(annat, handlaggare=cast.handlaggare, user=cast.stabschef)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_audit_log_pages_without_counting_every_event(client, cast, arende):
    """The log grows with every step ever taken: a page reads its rows and one more, never a
    count of the whole selection, and the next page has the rest, oldest last."""
    client.force_login(cast.revisor)
    url = reverse("arenden:auditlogg")
    for nr in range(PER_SIDA):
        cast.registrera(f"Ärende {nr}")
    with CaptureQueriesContext(connection) as fragor:
        forsta = client.get(url).content.decode()
    assert not [
        q for q in fragor if "COUNT(" in q["sql"] and "workflow_workflowhistory" in q["sql"]
    ]
    assert "Nästa" in forsta and "Sida 1" in forsta
    andra = client.get(url, {"sida": 2}).content.decode()
    assert "Föregående" in andra and "Sida 2" in andra
    assert str(arende.diarienummer) in andra  # the oldest event, on the last page


def test_the_person_filter_finds_a_user_by_part_of_the_name_and_a_renamed_one_by_the_old(
    client, cast, arende
):
    """A word of the name or the username finds the user's steps; a user renamed since is
    found by the name the entry recorded, written out whole."""
    cast.stabschef.first_name, cast.stabschef.last_name = "Yvonne", "Nygren"
    cast.stabschef.save()
    client.force_login(cast.revisor)
    url = reverse("arenden:auditlogg")

    def shown(person):
        return client.get(url, {"person": person}).content.decode().count("<td><time")

    assert shown("nygr") == shown("Yvonne Nygren") == shown("stabschef-HSN") == 1
    assert shown("Nygren Okänd") == 0
    cast.stabschef.username = "yvonne.nygren"
    cast.stabschef.save()
    assert shown("stabschef-HSN") == 1  # the name the entry recorded
    assert shown("yvonne.nygren") == 1  # and the user as named now


def test_the_timeline_checks_the_field_history_it_shows(client, cast, arende):
    """The timeline said its chain was unbroken next to a field change forged in the
    database: it checked only the workflow's steps. Now every signed row of its sources is
    checked, on the page and in the API's history, and a forged one breaks it."""
    from arenden.models import Tjansteskrivelse

    factories.forslag_till_beslut(arende, cast.handlaggare, forslag="Att bifalla.")
    client.force_login(cast.revisor)
    url = reverse("arenden:tidslinje", args=[arende.pk])
    assert "Historiken är obruten" in client.get(url).content.decode()
    historisk = Tjansteskrivelse.history.model
    rad = historisk.objects.filter(arende_id=arende.pk).latest("history_id")
    historisk.objects.filter(pk=rad.pk).update(forslag_till_beslut="Att avslå.")
    sida = client.get(url).content.decode()
    assert "Historiken är bruten" in sida
    assert "fälthistorikradens signatur stämmer inte" in sida
    api = client.get(f"/api/arenden/{arende.pk}/historik/").json()
    assert api["kedja"]["intakt"] is False


def test_the_revisor_reads_who_was_given_and_lost_which_role(client, cast, arende):
    """A role on an organ opens every ärende of it, its secret content included: the revisor
    reads who was given it, by whom and when, and when it went, by the ärende's diarienummer
    and never its rubrik. A page costs the same however many changes there are."""
    from workflow import roles as workflow_roles

    snok = factories.user("snok")
    workflow_roles.grant(cast.organ, "Stabschef", user=snok, granted_by=cast.stabschef)
    workflow_roles.revoke(cast.organ, "Stabschef", user=snok)
    url = reverse("arenden:rollandringar")
    client.force_login(cast.handlaggare)
    assert client.get(url).status_code == 403
    client.force_login(cast.revisor)
    assert (
        reverse("arenden:rollandringar")
        in client.get(reverse("arenden:auditlogg")).content.decode()
    )
    sida = client.get(url).content.decode()
    assert sida.count(">snok<") == 2
    assert ">gav<" in sida and ">tog bort<" in sida
    assert cast.organ.namn in sida
    # the handläggare's role on the ärende, by its diarienummer
    assert str(arende.diarienummer) in sida and "Handslag med Cancerfonden" not in sida
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        workflow_roles.grant(cast.organ, "Stabschef", user=factories.user(f"fler-{i}"))
    with CaptureQueriesContext(connection) as many:
        svar = client.get(url)
    assert "Nästa" in svar.content.decode()
    # one query per kind of object on the page (here the first page holds only the organ's)
    assert len(many) <= len(few)


def test_a_role_for_the_whole_organisation_given_and_taken_away_is_signed_and_shown(client, cast):
    """Django's user–group table keeps no history: who was made Revisor or Registrator, by
    whom and when, was nowhere. Each membership given or taken away, from either side, is now
    a signed row the revisor reads; the whole-history check covers it."""
    from django.contrib.auth.models import Group

    from workflow import fieldhistory
    from workflow.context import acting_as
    from workflow.models import GroupMembership

    snok = factories.user("snok")
    revisor = Group.objects.get(name="Revisor")
    with acting_as(cast.stabschef):
        snok.groups.add(revisor)
        revisor.user_set.remove(snok)
        snok.groups.add(revisor)
        snok.groups.clear()
    rader = list(GroupMembership.history.filter(user_id=snok.pk).order_by("history_id"))
    assert [(r.history_type, r.group_id, r.history_user) for r in rader] == [
        ("+", revisor.pk, cast.stabschef),
        ("-", revisor.pk, cast.stabschef),
        ("+", revisor.pk, cast.stabschef),
        ("-", revisor.pk, cast.stabschef),
    ]
    assert not GroupMembership.objects.filter(user=snok).exists()
    assert fieldhistory.verify()[1] == []
    client.force_login(cast.revisor)
    sida = client.get(reverse("arenden:rollandringar") + "?vy=grupper").content.decode()
    assert sida.count(">snok<") == 4 and "hela organisationen" in sida
    assert ">Revisor<" in sida and cast.stabschef.username in sida


def test_the_check_finds_a_record_changed_beside_its_history(client, cast, arende):
    """The signatures vouch for the history, not for the rows people act on: a beslut's text
    rewritten in the database (no trigger stops it) left the history intact and the check
    said so. Each row that holds now is compared with its newest history row."""
    from django.core.management import CommandError, call_command

    from arenden.models import Tjansteskrivelse

    factories.forslag_till_beslut(arende, cast.handlaggare, forslag="Att bifalla.")
    client.force_login(cast.revisor)
    url = reverse("arenden:verifiering")
    sida = client.post(url).content.decode()
    assert "Varje rad som gäller nu stämmer med den senaste raden i sin historik." in sida
    Tjansteskrivelse.objects.filter(arende=arende).update(forslag_till_beslut="Att avslå.")
    sida = client.post(url).content.decode()
    assert "1 rad gäller nu med ett innehåll som dess historik inte har" in sida
    assert "förslag till beslut" in sida
    ut = io.StringIO()
    with pytest.raises(CommandError, match="1 rader som gäller nu avviker"):
        call_command("verify_history", stdout=ut)
    assert "AVVIKER" in ut.getvalue()


def test_the_timeline_holds_the_motion_its_relations_and_checks_them(client, cast):
    """What belongs to the ärende and has field history is on its timeline, and in the check
    the timeline shows: who väckte the motion and when (KL 5 kap. 22 §), and the ärende it
    continues in, from both sides."""
    from arenden.models import ArendeRelation, Organ
    from arenden.motion import services as motioner
    from workflow.context import acting_as

    kf = factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    motion = motioner.registrera(
        user=cast.registrator,
        organ=cast.organ,
        arendemening="Motion om cykelbanor",
        typ="motion",
        fullmaktige=kf,
        vackt=datetime.date(2025, 3, 4),
        namn="Eva Ek",
        parti="MP",
    )
    annat = cast.registrera("Cykelbanor, fortsättning")
    with acting_as(cast.registrator):
        ArendeRelation.objects.create(fran=motion, till=annat, typ=ArendeRelation.Typ.FORTSATTER_I)
    client.force_login(cast.revisor)
    sida = client.get(reverse("arenden:tidslinje", args=[motion.pk])).content.decode()
    assert "väckt: – → 2025-03-04" in sida and "Eva Ek" in sida
    assert f"till: – → {annat.diarienummer}" in sida
    andra = client.get(reverse("arenden:tidslinje", args=[annat.pk])).content.decode()
    assert f"från: – → {motion.diarienummer}" in andra
    # a forged row of the relation's history is reported on both ärendens timelines
    historik = ArendeRelation.history.model
    historik.objects.filter(fran=motion).update(typ="bytt")
    for arende in (motion, annat):
        sida = client.get(reverse("arenden:tidslinje", args=[arende.pk])).content.decode()
        assert "Historiken är obruten" not in sida
        assert "arenden.historicalarenderelation" in sida


def test_the_meetings_timeline_shows_who_recorded_what_and_costs_the_same_however_long(
    client, cast
):
    """The revisor reads the meeting's whole story: its steps and the närvaro, the item, the
    beslut and the justering as field changes, with who and when, and that it holds. A page
    of it costs the same however long the history grows."""
    from arenden.models import Deltagare

    arende = cast.berett("Riktlinjer för vårdhygien")
    beslut = factories.besluta(arende, cast.sekreterare, "Riktlinjerna antas.", justera=False)
    mote = beslut.sammantrade
    url = reverse("arenden:sammantrade_tidslinje", args=[mote.pk])
    client.force_login(cast.revisor)
    sida = client.get(url).content.decode()
    assert re.search(r"Historiken är obruten: \d+ steg och \d+ fältändring(ar)? kontroll", sida)
    assert "Kalla" in sida and "deltagare" in sida
    assert "beslut: – → Riktlinjerna antas." in sida
    assert (
        "tidslinje/" in client.get(reverse("arenden:sammantrade", args=[mote.pk])).content.decode()
    )
    rad = Deltagare.objects.filter(sammantrade=mote).first()

    def anteckna(antal):
        for n in range(antal):
            rad.anteckning = f"Anteckning {n}"
            rad.save()

    def forsta_sidan():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert "Anteckning" in response.content.decode()
        return len(queries)

    anteckna(2)  # on the first page: a change shown with the row before it
    forsta_sidan()  # what is cached for the process (content types) read once
    few = forsta_sidan()
    anteckna(40)
    assert granskning.antal_handelser(mote) > 2 * PER_SIDA
    assert forsta_sidan() == few
    # a forged row of the närvaro's history is reported there
    Deltagare.history.filter(id=rad.pk).update(roll="forfalskad")
    assert "Historiken är obruten" not in client.get(url).content.decode()


def test_the_page_of_role_changes_names_a_group_removed_since_by_its_number(client, cast):
    """The admin removes no group; one removed another way leaves its memberships' history,
    which the revisor still reads, naming the group by its number."""
    from django.contrib.auth.models import Group

    from arenden.organisation.models import Organ
    from workflow.roles import grant

    grupp = Group.objects.create(name="Tillfällig")
    cast.handlaggare.groups.add(grupp)
    grant(Organ.objects.get(kod="HSN"), "Stabschef", group=grupp)
    nummer = grupp.pk
    grupp.delete()
    client.force_login(cast.revisor)
    for vy in ("", "?vy=grupper"):
        svar = client.get(reverse("arenden:rollandringar") + vy)
        assert svar.status_code == 200
        assert f"borttagen grupp {nummer}" in svar.content.decode()


def test_the_meetings_timeline_costs_the_same_for_who_reads_items_masked_however_long(client, cast):
    """The registrator reads a meeting's secret items masked, one of them struck from the
    list: a page costs the same however long the meeting's history grows (whether each secret
    item is masked is asked once per item, as on the meeting page)."""
    from arenden.models import Deltagare, Person
    from arenden.sammantraden import protokoll

    lagrum = "OSL 25 kap. 1 §"
    punkt = factories.anmal(
        cast.berett("Vård av patient NN", sekretess_lagrum=lagrum), cast.sekreterare
    )
    mote = punkt.sammantrade
    struken = factories.anmal(
        cast.berett("Vård av patient MM", sekretess_lagrum=lagrum), cast.sekreterare, mote
    )
    protokoll.stryk_punkt(struken, user=cast.sekreterare, motivering="Utgår.")
    url = reverse("arenden:sammantrade_tidslinje", args=[mote.pk])
    client.force_login(cast.registrator)

    def kostnad():
        with CaptureQueriesContext(connection) as queries:
            sida = client.get(url).content.decode()
        assert f"Sekretess ({lagrum})" in sida and "patient" not in sida
        return len(queries)

    def narvaro(antal):
        for n in range(antal):
            person = factories.person(f"Ledamot {n}", typ=Person.Typ.FORTROENDEVALD)
            rad = protokoll.lagg_till_deltagare(
                mote, person, roll=Deltagare.Roll.LEDAMOT, user=cast.sekreterare
            )
            protokoll.andra_narvaro(rad, user=cast.sekreterare, anteckning=f"Anteckning {n}")

    narvaro(1)  # on the first page: a change shown with the row before it
    kostnad()
    few = kostnad()
    narvaro(20)
    assert granskning.antal_handelser(mote) > PER_SIDA + 20
    assert kostnad() == few
