"""The förtroendevaldas portal, *Mina sammanträden*: a ledamot sees the meetings they are
kallad to, the kallelse, the underlag of each item (secret ones masked unless they serve in
the item, KL 5 kap. 47 §, OSL 5 kap. 5 §) and the protokoll once justerat; nothing else, and
the page costs the same number of queries however many meetings, items and underlag."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arenden.diarium.models import Sekretessatkomst
from arenden.diarium.services import arkivera_handling
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import Mote

pytestmark = pytest.mark.django_db

LAGRUM = "OSL 26 kap. 1 §"
PDF = b"%PDF-1.4\n%underlag\n"
URL = "/mina-sammantraden/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def underlag(mote, arende, titel, **falt):
    return arkivera_handling(
        arende,
        user=mote.cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel=titel,
        fil=SimpleUploadedFile("underlag.pdf", PDF),
        **falt,
    )


def med_konto(mote, person, namn):
    person.anvandare = factories.user(namn)
    person.save()
    return person.anvandare


@pytest.fixture
def mote():
    mote = Mote()
    mote.led = med_konto(mote, mote.ledamot, "led-al")
    mote.bjork = med_konto(mote, mote.annan, "led-bjork")
    mote.oppet = mote.berett_arende("Budget 2026 för primärvården")
    mote.oppen_punkt = mote.punkt(mote.oppet)
    mote.budget = underlag(mote, mote.oppet, "Budgetunderlag primärvård")
    mote.hemligt = mote.berett_arende(
        "Skyddat boende för namngiven person",
        offentlig_rubrik="Ärende om bistånd",
        sekretess_lagrum=LAGRUM,
    )
    mote.hemlig_punkt = mote.punkt(mote.hemligt)
    mote.utredning = underlag(mote, mote.hemligt, "Utredning om NN:s hälsa")
    return mote


def sidan(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_a_ledamot_starts_on_their_meetings_once_kallad(client, mote):
    assert "Budget 2026" not in sidan(client, mote.led)  # planned, not yet kallad
    mote.kalla()
    client.force_login(mote.led)
    assert client.get(reverse("arenden:start")).url == URL
    page = sidan(client, mote.led)
    assert "Hälso- och sjukvårdsnämnden" in page or mote.cast.organ.namn in page
    assert "Budget 2026 för primärvården" in page and "Budgetunderlag primärvård" in page
    kallelse = reverse("arenden:ledamot_dokument", args=[mote.sammantrade.pk, "kallelse", "pdf"])
    assert kallelse in page
    assert client.get(kallelse).status_code == 200
    fil = reverse("arenden:ledamot_underlag", args=[mote.oppen_punkt.pk, mote.budget.pk])
    assert fil in page
    assert b"".join(client.get(fil).streaming_content) == PDF
    # no protokoll before it is justerat
    assert "Justerat protokoll" not in page
    protokoll_url = reverse(
        "arenden:ledamot_dokument", args=[mote.sammantrade.pk, "protokoll", "pdf"]
    )
    assert client.get(protokoll_url).status_code == 404


def test_nothing_else_the_arenden_and_the_meeting_page_stay_closed(client, mote):
    mote.kalla()
    client.force_login(mote.led)
    assert client.get(reverse("arenden:arende", args=[mote.oppet.pk])).status_code == 403
    assert client.get(reverse("arenden:sammantrade", args=[mote.sammantrade.pk])).status_code == 403
    # the handling's own download stays closed; only the underlag of their meeting is open
    assert client.get(reverse("arenden:handling_fil", args=[mote.budget.pk])).status_code == 403
    annat = mote.berett_arende("Ärende på ingen lista")
    bilaga = underlag(mote, annat, "Inte ett underlag till mötet")
    url = reverse("arenden:ledamot_underlag", args=[mote.oppen_punkt.pk, bilaga.pk])
    assert client.get(url).status_code == 404


def test_who_is_not_kallad_gets_nothing(client, mote):
    mote.kalla()
    utanfor = factories.user("utanfor")
    page = sidan(client, utanfor)
    assert "Du är inte kallad till några sammanträden." in page and "Budget 2026" not in page
    kallelse = reverse("arenden:ledamot_dokument", args=[mote.sammantrade.pk, "kallelse", "pdf"])
    assert client.get(kallelse).status_code == 403
    fil = reverse("arenden:ledamot_underlag", args=[mote.oppen_punkt.pk, mote.budget.pk])
    assert client.get(fil).status_code == 403
    # staff keep their worklists as the start page
    client.force_login(mote.cast.handlaggare)
    assert client.get(reverse("arenden:start")).status_code == 200


def test_a_secret_item_is_masked_for_a_jävig_ledamot_and_open_to_one_who_serves(client, mote):
    mote.kalla()
    protokoll.anmal_jav(mote.hemlig_punkt, mote.ledamot, user=mote.cast.sekreterare)
    hemlig_fil = reverse("arenden:ledamot_underlag", args=[mote.hemlig_punkt.pk, mote.utredning.pk])

    page = sidan(client, mote.led)  # jävig: takes no part in the item
    assert "Skyddat boende" not in page and "Utredning om NN" not in page
    assert f"Sekretess enligt {LAGRUM}" in page and hemlig_fil not in page
    assert client.get(hemlig_fil).status_code == 403
    assert not Sekretessatkomst.objects.exists()

    page = sidan(client, mote.bjork)  # serves in the item and decides it
    assert "Skyddat boende för namngiven person" in page and "Utredning om NN:s hälsa" in page
    assert client.get(hemlig_fil).status_code == 200
    # the secret item read on the page, then its underlag's file
    assert list(
        Sekretessatkomst.objects.order_by("pk").values_list(
            "anvandare", "arende", "handling", "vad"
        )
    ) == [
        (mote.bjork.pk, mote.utredning.arende_id, None, "sammantrade"),
        (mote.bjork.pk, mote.utredning.arende_id, mote.utredning.pk, "fil"),
    ]


def test_serving_gives_no_secret_handling_that_came_after_the_justering(client, mote):
    """Serving in the item gives the secret underlag it was decided on, not what comes into
    the ärende after the protokoll is justerat (an överklagande with health data, OSL 5 kap.
    5 §): the portal masks its title and refuses its file, for as long as the meeting is
    listed."""
    mote.kalla()
    mote.besluta(mote.oppen_punkt)
    mote.besluta(mote.hemlig_punkt)
    mote.uppratta()
    mote.justera_alla()
    sent = arkivera_handling(
        mote.utredning.arende,
        user=mote.cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel="Överklagande från Björkqvist om diagnos",
        fil=SimpleUploadedFile("overklagande.txt", b"overklagande"),
        sekretess_lagrum=LAGRUM,
        offentlig_titel="Överklagande",
    )
    page = sidan(client, mote.bjork)
    assert "Utredning om NN:s hälsa" in page and "Björkqvist" not in page
    underlag = reverse("arenden:ledamot_underlag", args=[mote.hemlig_punkt.pk, mote.utredning.pk])
    assert client.get(underlag).status_code == 200
    svar = client.get(reverse("arenden:ledamot_underlag", args=[mote.hemlig_punkt.pk, sent.pk]))
    assert svar.status_code == 403 and "Björkqvist" not in svar.content.decode()


def test_the_justerat_protokoll_is_theirs_to_read(client, mote):
    mote.kalla()
    mote.besluta(mote.oppen_punkt)
    mote.besluta(mote.hemlig_punkt)
    mote.uppratta()
    mote.justera_alla()
    page = sidan(client, mote.led)
    assert "Justerat protokoll" in page
    url = reverse("arenden:ledamot_dokument", args=[mote.sammantrade.pk, "protokoll", "pdf"])
    svar = client.get(url)
    assert svar.status_code == 200 and svar["Content-Type"] == "application/pdf"
    assert client.get(url.replace(".pdf", ".exe")).status_code == 404


def test_the_page_costs_the_same_with_three_meetings_as_with_one(client, mote):
    mote.kalla()
    sidan(client, mote.led)  # warm the per-process caches
    with CaptureQueriesContext(connection) as en:
        sidan(client, mote.led)
    for i, dag in enumerate((13, 14)):
        fler = Mote(cast=mote.cast, datum=mote.sammantrade.datum.replace(day=dag))
        for j in range(3):
            arende = fler.berett_arende(f"Ärende {i}-{j}", sekretess_lagrum=LAGRUM if j else "")
            underlag(fler, arende, f"Underlag {i}-{j}")
            fler.punkt(arende)
        fler.kalla()
    with CaptureQueriesContext(connection) as tre:
        page = sidan(client, mote.led)
    assert page.count('class="sammantrade"') == 3 and "Underlag 1-0" in page
    assert len(tre) == len(en)


MENY = f'href="{URL}"'


def test_the_menu_offers_mina_sammantraden_only_to_who_is_kallad_at_one_query(client, mote):
    sok = reverse("arenden:sok")
    client.force_login(mote.led)
    assert MENY not in client.get(sok).content.decode()  # planned, not yet kallad
    mote.kalla()
    with CaptureQueriesContext(connection) as fragor:
        page = client.get(sok).content.decode()
    assert MENY in page
    # one query per page for the menu, however often the page asks
    assert sum("kallelsemottagare" in q["sql"] for q in fragor.captured_queries) == 1
    # who is kallad to nothing, staff or not, is not offered it
    for user in (mote.cast.registrator, mote.cast.handlaggare):
        client.force_login(user)
        assert MENY not in client.get(sok).content.decode()
        assert MENY not in client.get(reverse("arenden:start")).content.decode()
    # the page itself still answers (with nothing), as it did
    assert "Mina sammanträden" in sidan(client, mote.cast.registrator)


def test_the_portals_permission_gives_no_module_wide_right(client):
    """A kallad ledamot reads their meetings through the portal's own permission; the portal
    gives no right over the application's module as a whole (what the admin asks)."""
    from arenden.sammantraden.ledamot import Ledamotsbehorighet

    ledamot = factories.user("ledamot-modul")
    assert Ledamotsbehorighet().has_module_perms(ledamot, "arenden") is False
    assert not ledamot.has_module_perms("arenden")


def test_who_may_read_the_arende_reads_its_secret_item_though_jävig(client, mote):
    """Jäv bars the ledamot from deciding the item, not from what they may read in another
    capacity: a ledamot who is also the organ's stabschef (need to know, OSL) reads the
    secret item and its underlag in the portal as on the ärende."""
    from arenden.organisation.roles import STABSCHEF
    from workflow import roles as workflow_roles

    mote.kalla()
    protokoll.anmal_jav(mote.hemlig_punkt, mote.ledamot, user=mote.cast.sekreterare)
    workflow_roles.grant(mote.cast.organ, STABSCHEF, user=mote.led)
    hemlig_fil = reverse("arenden:ledamot_underlag", args=[mote.hemlig_punkt.pk, mote.utredning.pk])
    page = sidan(client, mote.led)
    assert "Skyddat boende för namngiven person" in page and "Utredning om NN:s hälsa" in page
    assert hemlig_fil in page
    assert client.get(hemlig_fil).status_code == 200
    # the secret item read on the page, then its underlag's file
    assert list(
        Sekretessatkomst.objects.order_by("pk").values_list(
            "anvandare", "arende", "handling", "vad"
        )
    ) == [
        (mote.led.pk, mote.utredning.arende_id, None, "sammantrade"),
        (mote.led.pk, mote.utredning.arende_id, mote.utredning.pk, "fil"),
    ]


def test_the_portals_backend_answers_its_own_permission_once_a_request_and_nothing_else(mote):
    """Asked by the menu on every page, the backend reads whether the user is kallad once per
    user object; it answers no other permission, no other kind of object, and no inactive
    user."""
    from django.contrib.auth import get_user_model

    from arenden.sammantraden.ledamot import LAS, Ledamotsbehorighet

    mote.kalla()
    backend = Ledamotsbehorighet()
    led = get_user_model().objects.get(pk=mote.led.pk)
    with CaptureQueriesContext(connection) as fragor:
        assert [backend.has_perm(led, LAS) for _ in range(3)] == [True, True, True]
    assert len(fragor.captured_queries) == 1
    assert backend.has_perm(led, LAS, mote.sammantrade) is True
    assert backend.has_perm(led, LAS, mote.cast.organ) is False
    for perm in ("workflow.view_workflowhistory", "arenden.view_sekretess", "arenden.add_arende"):
        assert backend.has_perm(led, perm) is False, perm
        assert backend.has_perm(led, perm, mote.sammantrade) is False, perm
    led.is_active = False
    assert backend.has_perm(led, LAS, mote.sammantrade) is False
