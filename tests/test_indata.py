"""Bad input gets a clear Swedish message and changes nothing; no input gives a 500. The
cases are those a new user met: a NUL or a megabyte in a transition's comment, a worklist of
sammanträden opened as a list of ärenden, dates at the calendar's ends, a comment that a
spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from arenden.models import Sammantrade
from tests import factories
from workflow.engine import MAX_COMMENT, TransitionNotAllowed, do_transition, history, version

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return factories.Cast()


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "kommentar", ["Dubbel\x00registrerat", "x" * (MAX_COMMENT + 1)], ids=["nul", "for-lang"]
)
def test_a_comment_with_a_nul_or_too_long_is_refused(cast, kommentar):
    arende = cast.registrera("Felregistrerat")
    page = _client(cast.registrator).post(
        reverse("arenden:overgang", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "overgang": "makulera",
                "status": "registrerat",
                "steg": version(arende),
                "kommentar": kommentar,
            },
        ),
        follow=True,
    )
    assert page.status_code == 200
    assert f"Kommentaren får ha högst {MAX_COMMENT} tecken" in page.content.decode()
    arende.refresh_from_db()
    assert arende.state == "registrerat" and history(arende).count() == 1
    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, "makulera", cast.registrator, kommentar)


def test_a_comment_of_the_longest_length_is_taken(cast):
    arende = cast.registrera("Felregistrerat")
    do_transition(arende, "makulera", cast.registrator, "x" * MAX_COMMENT)
    assert history(arende).last().comment == "x" * MAX_COMMENT


def test_a_worklist_of_another_kind_is_not_a_list_of_arenden(cast):
    client = _client(cast.sekreterare)
    assert client.get("/arbetslista/alla_sammantraden/").status_code == 404
    assert client.get("/arbetslista/att_justera/").status_code == 404
    assert client.get("/arbetslista/klara_for_beslut/").status_code == 200


@pytest.mark.parametrize(
    "fran, till", [("0001-01-01", "9999-12-31"), ("1899-12-31", ""), ("", "2200-01-01")]
)
def test_the_audit_filter_says_when_a_date_is_out_of_range(cast, fran, till):
    page = _client(cast.revisor).get(reverse("arenden:auditlogg"), {"fran": fran, "till": till})
    assert page.status_code == 200
    assert "Datumet kan inte vara" in page.content.decode()


def test_a_meeting_at_the_end_of_the_calendar_is_refused(cast):
    client = _client(cast.sekreterare)
    page = client.post(
        reverse("arenden:sammantraden"),
        {"organ": cast.organ.pk, "datum": "9999-12-31", "plats": "Umeå"},
    )
    assert page.status_code == 200
    assert "Datumet kan inte vara efter" in page.content.decode()
    assert not Sammantrade.objects.exists()


def test_the_csv_export_does_not_hand_a_formula_to_the_spreadsheet(cast):
    arende = cast.registrera("Felregistrerat")
    do_transition(arende, "makulera", cast.registrator, '=HYPERLINK("http://x.example","Klicka")')
    response = _client(cast.revisor).get(
        reverse("arenden:auditlogg_export", args=["csv"]), {"overgang": "makulera"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [_header, row] = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert row[8] == '\'=HYPERLINK("http://x.example","Klicka")'
    response = _client(cast.revisor).get(
        reverse("arenden:auditlogg_export", args=["json"]), {"overgang": "makulera"}
    )
    assert b'"=HYPERLINK' in b"".join(response.streaming_content)  # JSON is data, not a sheet


def test_a_marking_by_someone_with_a_long_name_is_made(cast):
    """Who made a marking is kept by name (OSL 5 kap. 5 §); a name from the login (OIDC's
    given_name and family_name, up to 150 characters each) did not fit the column of 200, and
    PostgreSQL answered the marking with a 500."""
    cast.handlaggare.first_name, cast.handlaggare.last_name = "Å" * 150, "Ö" * 150
    cast.handlaggare.save()
    arende = cast.registrera("Utredning om vårdskada")
    from arenden.handlaggning.services import tilldela

    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    svar = _client(cast.handlaggare).post(
        reverse("arenden:sekretess", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "lagrum": "OSL 25 kap. 1 §",
                "offentlig_rubrik": "Utredning",
                "motivering": "Uppgifter om patientens hälsa.",
            },
        ),
    )
    assert svar.status_code == 302
    arende.refresh_from_db()
    assert arende.sekretess_lagrum == "OSL 25 kap. 1 §"
    assert arende.sekretess_markerad_av == f"{'Å' * 150} {'Ö' * 150}"
