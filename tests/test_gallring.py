"""Klassificering and gallring: every ärende gets a klass of the klassificeringsstruktur at
registration; the dokumenthanteringsplan says per klass and handlingstyp what is kept and
what is gallrat, and when; gallring happens only under a recorded decision and removes the
file, never the registration, the record of what was removed or the history (arkivlagen
1990:782 10 §)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from arenden.arkiv import gallring
from arenden.diarium import services, sokning
from arenden.models import Arende, Bevarande, GallradHandling, Gallringsbeslut, Handling, Klass
from tests import factories
from tests.test_begaran import _pdf
from workflow.engine import do_transition, history
from workflow.history import verify_object

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def test_every_arende_gets_a_klass_at_registration(cast):
    """By its ärendetyp when none is named, or the one named, which must exist."""
    assert cast.registrera("En motion om vården", typ="motion").klassificering == "1.1"
    assert cast.registrera("En remiss", typ="remiss").klassificering == "1.2"
    named = cast.registrera("Klagomål", typ="skrivelse", klassificering="2.1")
    assert named.klassificering == "2.1"
    fore = Arende.objects.count()
    with pytest.raises(ValidationError, match="finns inte i klassificeringsstrukturen"):
        cast.registrera("Fel klass", klassificering="9.9")
    Klass.objects.filter(kod="1.1").update(arendetyper=[])
    with pytest.raises(ValidationError, match="Ange klassificering"):
        cast.registrera("Utan standardklass", typ="motion")
    assert Arende.objects.count() == fore


def test_the_registration_page_offers_the_structure(cast):
    client = Client()
    client.force_login(cast.registrator)
    page = client.get(reverse("arenden:registrera")).content.decode()
    assert "2.1 Klagomål och synpunkter på vården" in page
    client.post(
        reverse("arenden:registrera"),
        {
            "organ": cast.organ.pk,
            "arendemening": "Synpunkter på väntetider",
            "typ": "skrivelse",
            "klassificering": "2.1",
        },
    )
    assert Arende.objects.get(arendemening="Synpunkter på väntetider").klassificering == "2.1"


def _stangt(cast, klass: str, avslutat: datetime.date, *handlingar) -> Arende:
    """An ärende of ``klass``, written off (closed) on ``avslutat``, with ``handlingar``
    (type, title) filed as files."""
    arende = cast.registrera(f"Ärende i {klass}", typ="skrivelse", klassificering=klass)
    for typ, titel in handlingar:
        services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ=typ,
            riktning="inkommen",
            titel=titel,
            datum=datetime.date(2025, 1, 10),
            fil=ContentFile(f"{titel}".encode(), name="fil.txt"),
        )
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    Arende.objects.filter(pk=arende.pk).update(avslutat=avslutat)  # closed back then
    arende.refresh_from_db()
    return arende


def test_what_is_due_follows_the_plan_per_klass_type_and_frist(cast):
    """2.1: skrivelser gallras after ten years, everything else is kept; 3.1: everything
    gallras after two years; an open ärende's handlingar never."""
    klagomal = _stangt(
        cast,
        "2.1",
        datetime.date(2015, 3, 1),
        ("skrivelse", "Synpunkt på bemötande"),
        ("bilaga", "Journalkopia"),
    )
    begaran = _stangt(cast, "3.1", datetime.date(2024, 6, 1), ("skrivelse", "Begäran om kopia"))
    oppet = cast.registrera("Öppet", typ="skrivelse", klassificering="3.1")
    services.lagg_till_handling(
        oppet,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Pågående",
        fil=ContentFile(b"x", name="x.txt"),
    )
    due = {h.titel for h in gallring.forfallna(datetime.date(2025, 3, 1))}
    assert due == {"Synpunkt på bemötande"}  # 3.1's two years not yet run
    due = {h.titel for h in gallring.forfallna(datetime.date(2026, 6, 1))}
    assert due == {"Synpunkt på bemötande", "Begäran om kopia"}
    # the frist counts from the day the ärende was closed: ten years to the day
    assert {h.titel for h in gallring.forfallna(datetime.date(2025, 2, 28))} == set()
    assert klagomal.handlingar.filter(titel="Journalkopia").exists() and begaran.pk


def test_gallring_under_a_decision_removes_the_file_and_keeps_the_rest(
    cast, django_capture_on_commit_callbacks
):
    arende = _stangt(
        cast, "3.1", datetime.date(2022, 6, 1), ("skrivelse", "Begäran om kopia av protokoll")
    )
    handling = arende.handlingar.get()
    namn = handling.fil.name
    storage = handling.fil.storage
    kedja_fore = history(arende).count()
    with pytest.raises(ValidationError, match="Ange beslutet"):
        gallring.gallra([handling], beslut="", user=cast.registrator)
    assert storage.exists(namn)
    out = io.StringIO()
    with pytest.raises(CommandError, match="--av"):
        call_command("gallring", "--genomfor", "--beslut", "RS 2024 § 45", stdout=out)
    # the record names who carried it out: the registrator, never any account named
    # (arkivlagen 10 §); a handläggare, a stabschef or a revisor is refused and nothing goes
    for vem in (cast.handlaggare, cast.stabschef, cast.revisor):
        with pytest.raises(
            CommandError,
            match=f"{vem.username} får inte genomföra gallring: det får den som har "
            "registratorns behörighet för arkivvården",
        ):
            call_command(
                "gallring", "--genomfor", "--beslut", "RS 2024 § 45", "--av", vem.username,
                stdout=out,
            )
    assert storage.exists(namn) and not Gallringsbeslut.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "gallring",
            "--genomfor",
            "--beslut",
            "Dokumenthanteringsplan fastställd av RS 2024-05-12 § 45",
            "--av",
            cast.registrator.username,
            stdout=out,
        )
    assert "Gallrat 1 handlingar" in out.getvalue()
    handling.refresh_from_db()
    assert not handling.fil and handling.gallrad is not None
    assert not storage.exists(namn)
    record = GallradHandling.objects.get(handling=handling)
    assert record.titel == "Begäran om kopia av protokoll" and len(record.sha256) == 64
    assert record.gallring.genomfort_av == cast.registrator
    assert "RS 2024-05-12 § 45" in Gallringsbeslut.objects.get().beslut
    # the registration and the history stay, whole
    assert Handling.objects.filter(pk=handling.pk).exists()
    assert history(arende).count() == kedja_fore and verify_object(arende).intact
    # nothing is due twice; the same list sent again (a second run at the same time) is told
    # it is done, and nothing more is recorded
    assert gallring.forfallna() == []
    with pytest.raises(ValidationError, match=f"{handling.beteckning} är redan gallrad; inget mer"):
        gallring.gallra([handling], beslut="RS 2024 § 45", user=cast.registrator)
    assert Gallringsbeslut.objects.count() == 1


def test_a_gallrad_handling_keeps_no_words_of_its_file_nor_a_secret_ones_checksum(
    cast, django_capture_on_commit_callbacks
):
    """The text read out of the file went to the search; gallrad, it is gone with the file.
    A secret handling's record keeps no checksum or size: they confirm a copy (OSL 5 kap.
    5 §)."""
    arende = _stangt(cast, "3.1", datetime.date(2022, 6, 1))
    oppen, hemlig = (
        services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ="skrivelse",
            riktning="inkommen",
            titel=titel,
            datum=datetime.date(2022, 5, 10),
            fil=ContentFile(_pdf(f"Patienten har {ord}"), name="s.pdf"),
        )
        for titel, ord in (("Skrivelse", "Zebrafinkssyndrom"), ("Journal", "Gnuttesjuka"))
    )
    Handling.objects.filter(pk=hemlig.pk).update(sekretess_lagrum="OSL 25 kap. 1 §")
    for handling, ord in ((oppen, "Zebrafinkssyndrom"), (hemlig, "Gnuttesjuka")):
        handling.refresh_from_db()
        assert ord in handling.text
    assert list(sokning.sok_handlingar(cast.registrator, q="Zebrafinkssyndrom")) == [oppen]
    with django_capture_on_commit_callbacks(execute=True):
        gallring.gallra([oppen, hemlig], beslut="RS 2024 § 45", user=cast.registrator)
    for handling in (oppen, hemlig):
        handling.refresh_from_db()
        assert (handling.fil.name, handling.text) == ("", "")
    assert not list(sokning.sok_handlingar(cast.registrator, q="Zebrafinkssyndrom"))
    oppen_rad, hemlig_rad = (GallradHandling.objects.get(handling=h) for h in (oppen, hemlig))
    assert len(oppen_rad.sha256) == 64 and oppen_rad.storlek > 0
    assert (hemlig_rad.sha256, hemlig_rad.storlek, hemlig_rad.filnamn) == ("", None, "")
    assert hemlig_rad.titel == hemlig.publik_titel != "Journal"


def test_what_the_plan_keeps_is_never_gallrat(cast):
    arende = _stangt(cast, "1.1", datetime.date(2000, 1, 1), ("skrivelse", "Motion från 1999"))
    assert gallring.forfallna() == []
    with pytest.raises(ValidationError, match="får inte gallras"):
        gallring.gallra(list(arende.handlingar.all()), beslut="Beslut", user=cast.registrator)
    assert arende.handlingar.get().fil
    assert Bevarande.objects.get(klass__kod="1.1", handlingstyp="").bevaras


def test_the_list_is_a_dry_run_by_default(cast):
    _stangt(cast, "3.1", datetime.date(2020, 1, 1), ("skrivelse", "Gammal begäran"))
    out = io.StringIO()
    call_command("gallring", stdout=out)
    assert "Gammal begäran" in out.getvalue() and "1 handlingar ska gallras." in out.getvalue()
    assert not GallradHandling.objects.exists()
    with pytest.raises(CommandError, match="Ogiltigt datum"):
        call_command("gallring", "--idag", "2025-13-01", stdout=out)


def test_a_handling_asked_for_stays_until_the_begaran_is_tried(cast):
    """Someone asks for a copy of a handling whose frist has run (TF 2 kap. 15 §): until the
    begäran is tried it is not due, and a gallring of it is refused and removes nothing."""
    from arenden.begaran import services as begaran_services

    arende = _stangt(cast, "3.1", datetime.date(2020, 1, 1), ("skrivelse", "Gammal begäran"))
    handling = arende.handlingar.get()
    assert gallring.forfallna() == [handling]
    begaran_services.registrera(
        arende,
        user=cast.registrator,
        avser="Kopia av skrivelsen",
        form="epost",
        handlingar=[handling],
    )
    assert gallring.forfallna() == []
    with pytest.raises(ValidationError, match="får inte gallras"):
        gallring.gallra([handling], beslut="RS 2024 § 45", user=cast.registrator)
    handling.refresh_from_db()
    assert handling.fil and handling.gallrad is None
    assert not Gallringsbeslut.objects.exists()


def test_a_gallring_dated_another_day_than_today_is_refused_and_removes_nothing(cast):
    """``manage.py gallring --idag`` lists what the plan makes due on another day; carrying it
    out with ``--genomfor`` removed the files whose frist had not yet run (3.1's two years,
    counted to a day in the future) and dated the gallring on that day."""
    arende = _stangt(cast, "3.1", datetime.date.today(), ("skrivelse", "Begäran om kopia"))
    handling = arende.handlingar.get()
    namn, storage = handling.fil.name, handling.fil.storage
    om_tre_ar = (datetime.date.today() + datetime.timedelta(days=3 * 366)).isoformat()
    out = io.StringIO()
    call_command("gallring", "--idag", om_tre_ar, stdout=out)
    assert "1 handlingar ska gallras" in out.getvalue()  # the list is still a plan
    with pytest.raises(CommandError, match="Gallring genomförs i dag"):
        call_command(
            "gallring",
            "--genomfor",
            "--idag",
            om_tre_ar,
            "--beslut",
            "RS 2024 § 45",
            "--av",
            cast.registrator.username,
            stdout=out,
        )
    # and the service, whoever calls it, on any day but today
    for dag in (datetime.date.fromisoformat(om_tre_ar), datetime.date(2020, 1, 1)):
        with pytest.raises(ValidationError, match="Gallring genomförs i dag"):
            gallring.gallra([handling], beslut="RS 2024 § 45", user=cast.registrator, idag=dag)
    handling.refresh_from_db()
    assert handling.fil and handling.gallrad is None and storage.exists(namn)
    assert not Gallringsbeslut.objects.exists()
