"""The traces a secret handling leaves beside its content (OSL 5 kap. 5 §, 21 kap. 1 §): the
name of its uploaded file, its title in the record of a gallring, the labels of the archive
package. Each is read by people outside the need-to-know group (the registrator on the
tidslinje, the admin, whoever reads a command's log, the e-arkiv's index), so each shows the
marking, never what the handling is about."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lxml import etree

from arenden.arkiv import export as arkiv
from arenden.diarium import services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, GallradHandling, Handling
from tests import factories
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db

ORDET = "Zebrafinkssyndrom"
LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast():
    return factories.Cast()


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def _hemlig_handling(cast, arende, **falt) -> Handling:
    return services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel=f"Journal om {ORDET}",
        offentlig_titel="Journal",
        datum=datetime.date(2025, 1, 10),
        fil=ContentFile(b"Journalanteckning", name=f"journal-{ORDET}.txt"),
        **falt,
    )


def test_a_secret_handlings_file_is_stored_and_shown_without_its_uploaded_name(cast):
    """The uploaded name ("journal-<diagnos>.txt") was the file's path: in the storage and,
    as the field history's "fil" row, on the tidslinje the registrator reads. The path is now
    a name of the file's own, and the tidslinje masks the row as it masks the titel."""
    arende = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    handling = _hemlig_handling(cast, arende, sekretess_lagrum=LAGRUM)
    assert ORDET not in handling.fil.name and handling.fil.name.endswith(".txt")
    assert handling.filnamn == f"journal-{ORDET}.txt"  # kept, for who may read it

    assert not cast.registrator.has_perm("arenden.view_sekretess", arende)
    tidslinje = reverse("arenden:tidslinje", args=[arende.pk])
    sida = _klient(cast.registrator).get(tidslinje).content.decode()
    assert "Journal" in sida and ORDET not in sida
    assert handling.fil.name not in sida  # the path row masked too
    # and the file's checksum: with it, who holds a copy confirms it is the protected one
    assert handling.sha256 not in sida
    sida = _klient(cast.handlaggare).get(tidslinje).content.decode()
    assert f"Journal om {ORDET}" in sida  # the handläggare reads it
    assert handling.sha256 in sida

    # downloaded under the name it came with, by who may read it
    svar = _klient(cast.handlaggare).get(reverse("arenden:handling_fil", args=[handling.pk]))
    assert f"journal-{ORDET}.txt" in svar["Content-Disposition"]


def test_the_record_of_a_gallring_names_a_secret_handling_by_its_marking(
    cast, django_capture_on_commit_callbacks
):
    """The command's list and the Gallringsbeslut's rows kept the secret title and file name,
    read in the admin and the job's log by people who may not read them."""
    arende = cast.registrera(
        "Klagomål", typ="skrivelse", klassificering="3.1", sekretess_lagrum=LAGRUM
    )
    _hemlig_handling(cast, arende)
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    Arende.objects.filter(pk=arende.pk).update(avslutat=datetime.date(2022, 6, 1))
    ut = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "gallring",
            "--genomfor",
            "--beslut",
            "RS 2024 § 45",
            "--av",
            cast.registrator.username,
            stdout=ut,
        )
    assert "Journal – Sekretess (OSL 25 kap. 1 §)" in ut.getvalue()
    assert ORDET not in ut.getvalue()
    [rad] = GallradHandling.objects.all()
    assert (rad.titel, rad.filnamn) == ("Journal – Sekretess (OSL 25 kap. 1 §)", "")

    admin = User.objects.create_superuser("admin", "admin@example.se", "x")
    sida = _klient(admin).get(f"/admin/arenden/gallringsbeslut/{rad.gallring_id}/change/")
    assert sida.status_code == 200
    assert "Journal – Sekretess" in sida.content.decode()
    assert ORDET not in sida.content.decode()


def test_the_archive_packages_labels_name_a_secret_arende_by_its_marking(cast, tmp_path):
    """The METS header and structMap, the package's file paths and PREMIS are read without
    the FGS Restriktion: they carried the ärendemening and the uploaded file names."""
    arende = cast.registrera(
        f"Klagomål om {ORDET}",
        typ="skrivelse",
        sekretess_lagrum=LAGRUM,
        offentlig_rubrik="Klagomål",
    )
    _hemlig_handling(cast, arende)
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    call_command(
        "arkivexport",
        "--till-mapp",
        str(tmp_path / "leverans"),
        "--av",
        cast.registrator.username,
        stdout=io.StringIO(),
    )
    paket = tmp_path / "leverans" / arkiv.paketnamn(arende)
    mets = etree.parse(str(paket / "mets.xml")).getroot()
    assert mets.get("LABEL") == f"{arende.diarienummer} Klagomål – Sekretess ({LAGRUM})"
    for namn in ("mets.xml", "metadata/premis.xml"):
        assert ORDET not in (paket / namn).read_text(encoding="utf-8"), namn
    [fil] = (paket / "content" / "handlingar").iterdir()
    assert fil.name == "0001-fil.txt" and fil.read_bytes() == b"Journalanteckning"
    # the content itself is delivered, under the Restriktion
    assert ORDET in (paket / "content" / "arende.xml").read_text(encoding="utf-8")


def test_an_arende_holding_an_allman_handling_is_never_makulerat(client, cast):
    """Makulerat took the ärende's inkomna handlingar off the postlista, though they became
    allmänna when they came in (TF 2 kap. 9 §): the step is refused while it holds one, and
    the ärende is avskrivet instead, its handlingar listed."""
    arende = cast.registrera("Registrerat i fel ärende")
    services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Skrivelse om färdtjänst",
        datum=datetime.date(2025, 1, 10),
    )
    with pytest.raises(RequirementMissing, match="allmänna handlingar"):
        do_transition(arende, "makulera", cast.registrator, "Dubblett")
    assert Arende.objects.get(pk=arende.pk).state == "registrerat"
    do_transition(arende, "avskriva", cast.stabschef, "Registrerat i fel ärende")
    assert "Skrivelse om färdtjänst" in client.get(reverse("arenden:postlista")).content.decode()


@pytest.mark.parametrize("vad", ["handlingen", "arendet"])
def test_the_record_of_a_gallring_is_masked_when_the_handling_is_marked_afterwards(
    cast, django_capture_on_commit_callbacks, vad
):
    """A gallring keeps what each file was (title, file name, checksum, size). A handling
    gallrad while open and found secret afterwards (a begäran asks for it, the handläggare
    tries it and marks it, or its ärende) kept its title and file name in clear in that record,
    which the superuser reads in the admin without the right to read secret content (OSL 5
    kap. 5 §). The record now reads as one made of a secret handling."""
    arende = cast.registrera("Klagomål på vården", typ="skrivelse", klassificering="3.1")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    handling = _hemlig_handling(cast, arende)
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    Arende.objects.filter(pk=arende.pk).update(avslutat=datetime.date(2022, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "gallring",
            "--genomfor",
            "--beslut",
            "RS 2024 § 45",
            "--av",
            cast.registrator.username,
            stdout=io.StringIO(),
        )
    [rad] = GallradHandling.objects.all()
    assert ORDET in rad.titel + rad.filnamn  # open when it was gallrad: kept as it was

    services.andra_sekretess(
        handling if vad == "handlingen" else arende,
        user=cast.handlaggare,
        lagrum=LAGRUM,
        motivering="Uppgifter om en enskilds hälsa.",
        offentlig_rubrik="Journal" if vad == "handlingen" else "Klagomål",
    )

    rad.refresh_from_db()
    handling.refresh_from_db()
    assert rad.titel == handling.maskerad_titel
    assert (rad.filnamn, rad.sha256, rad.storlek) == ("", "", None)
    assert rad.history.first().history_change_reason == "harledd_sekretess"
    admin = User.objects.create_superuser("admin", "admin@example.se", "x")
    sida = _klient(admin).get(f"/admin/arenden/gallringsbeslut/{rad.gallring_id}/change/")
    assert sida.status_code == 200
    assert f"Sekretess ({LAGRUM})" in sida.content.decode()
    assert ORDET not in sida.content.decode()
    # the handläggare, who may read it, still reads the whole story on the tidslinje
    tidslinje = reverse("arenden:tidslinje", args=[arende.pk])
    assert f"journal-{ORDET}.txt" in _klient(cast.handlaggare).get(tidslinje).content.decode()
