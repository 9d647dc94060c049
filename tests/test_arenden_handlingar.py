"""Handlingar: numbered within the ärende, checked on the way in, and only by who may."""

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arenden.diarium.services import fil_ar_intakt, lagg_till_handling
from arenden.handlaggning.services import tilldela
from arenden.models import Handling
from tests import factories
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def arende(cast):
    arende = cast.registrera("Handslag med Cancerfonden för en bättre palliativ vård")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as arkiv:
        arkiv.writestr("[Content_Types].xml", "<Types/>")
        arkiv.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_handlingar_are_numbered_within_the_arende(cast, arende):
    other = cast.registrera("Ett annat ärende")
    first = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BESLUTSUNDERLAG,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Underlag om palliativ vård 251007",
    )
    second = lagg_till_handling(
        arende,
        user=cast.registrator,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Skrivelse från Cancerfonden",
        avsandare_mottagare="Cancerfonden",
        datum=datetime.date(2025, 10, 1),
    )
    in_other = lagg_till_handling(
        other,
        user=cast.registrator,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Brev",
    )
    assert (first.nummer, second.nummer, in_other.nummer) == (1, 2, 1)
    assert str(second.beteckning) == f"{arende.diarienummer}:2"
    assert first.status == Handling.Status.UTKAST
    assert second.status == Handling.Status.INKOMMEN
    assert second.registrerad_av == cast.registrator
    assert first.history.get().history_user == cast.handlaggare


def test_file_is_stored_with_checksum_and_media_type_read_from_content(cast, arende):
    upload = SimpleUploadedFile("underlag.pdf", PDF, content_type="application/octet-stream")
    handling = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BILAGA,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Underlag",
        fil=upload,
    )
    assert handling.sha256 == hashlib.sha256(PDF).hexdigest()
    assert handling.mediatyp == "application/pdf"
    assert handling.storlek == len(PDF)
    assert handling.filnamn == "underlag.pdf"
    with handling.fil.open("rb") as stored:
        assert stored.read() == PDF
    assert fil_ar_intakt(handling)

    docx = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BILAGA,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Word",
        fil=SimpleUploadedFile("utkast.docx", docx_bytes()),
    )
    assert docx.mediatyp.endswith("wordprocessingml.document")


def test_altered_file_is_detected(cast, arende):
    handling = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BILAGA,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Underlag",
        fil=SimpleUploadedFile("underlag.pdf", PDF),
    )
    with open(handling.fil.path, "ab") as stored:
        stored.write("ändrat i efterhand".encode())
    assert not fil_ar_intakt(handling)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("program.pdf", b"MZ\x90\x00\x03" + bytes(range(256)), "Filtypen tas inte emot"),
        ("tom.pdf", b"", "Filen är tom"),
    ],
)
def test_wrong_type_or_empty_file_is_refused_and_nothing_is_kept(
    cast, arende, name, content, message
):
    with pytest.raises(ValidationError, match=message):
        lagg_till_handling(
            arende,
            user=cast.handlaggare,
            typ=Handling.Typ.BILAGA,
            riktning=Handling.Riktning.UPPRATTAD,
            titel="Fel",
            fil=SimpleUploadedFile(name, content),
        )
    assert not arende.handlingar.exists()


def test_oversized_file_is_refused_with_the_limit(cast, arende, settings):
    settings.HANDLING_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        lagg_till_handling(
            arende,
            user=cast.handlaggare,
            typ=Handling.Typ.BILAGA,
            riktning=Handling.Riktning.UPPRATTAD,
            titel="Stor",
            fil=SimpleUploadedFile("stor.pdf", PDF + b"0" * 2048),
        )
    assert "största tillåtna storleken är 1,0\xa0kB" in refused.value.messages[0]
    assert not arende.handlingar.exists()


def test_only_who_the_state_allows_may_add_handlingar(cast, arende):
    outsider = factories.user("annan-handlaggare")
    for user in (outsider, cast.revisor, cast.sekreterare):
        with pytest.raises(PermissionDenied, match="lägga till handlingar"):
            lagg_till_handling(
                arende,
                user=user,
                typ=Handling.Typ.BILAGA,
                riktning=Handling.Riktning.UPPRATTAD,
                titel="Får inte",
            )
    assert not arende.handlingar.exists()


def test_handlingar_under_arbete_become_upprattade_when_the_arende_closes(cast, arende):
    utkast = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BESLUTSUNDERLAG,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Underlag",
    )
    do_transition(arende, "avskriva", cast.stabschef, "Initiativet drogs tillbaka")
    utkast.refresh_from_db()
    assert utkast.status == Handling.Status.UPPRATTAD
    change = utkast.history.first()
    assert (change.history_change_reason, change.history_user) == ("avskriva", cast.stabschef)


@pytest.mark.parametrize(
    "name, content",
    [
        ("skript.bat", b"@echo off\r\ndel C:\\\\*\r\n"),
        ("program.hta", b"<html><script>alert(1)</script></html>"),
        ("brev.txt", b"Hej" * 2000 + b"PK\x03\x04" + bytes(range(256)) * 20),
        ("makro.docx", None),
    ],
    ids=["bat", "hta", "text-then-binary", "docx-with-macro"],
)
def test_a_file_is_judged_whole_and_by_a_name_that_fits_it(cast, arende, name, content):
    if content is None:  # a Word document that carries a macro project
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as arkiv:
            arkiv.writestr("[Content_Types].xml", "<Types/>")
            arkiv.writestr("word/document.xml", "<w:document/>")
            arkiv.writestr("word/vbaProject.bin", b"\x00" * 64)
        content = buffer.getvalue()
    with pytest.raises(ValidationError):
        lagg_till_handling(
            arende,
            user=cast.handlaggare,
            typ=Handling.Typ.BILAGA,
            riktning=Handling.Riktning.UPPRATTAD,
            titel="Fel",
            fil=SimpleUploadedFile(name, content),
        )
    assert not arende.handlingar.exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, cast, arende, settings):
    settings.HANDLING_MAX_BYTES = 1024
    client.force_login(cast.registrator)
    response = client.post(
        reverse("arenden:ny_handling", args=[arende.pk]),
        {
            "typ": "bilaga",
            "riktning": "inkommen",
            "datum": "2025-10-20",
            "titel": "Stor",
            "fil": SimpleUploadedFile("stor.pdf", PDF + b"0" * (2 * 1024 * 1024)),
        },
    )
    assert response.status_code == 413
    assert "den största tillåtna storleken är 1,0\xa0kB" in response.content.decode()
    assert not arende.handlingar.exists()


def test_a_file_is_not_kept_when_its_row_is_not(cast, arende, monkeypatch, settings):
    def fails(self, *args, **kwargs):
        raise RuntimeError("databasen svarade inte")

    monkeypatch.setattr(Handling, "save", fails)
    with pytest.raises(RuntimeError):
        lagg_till_handling(
            arende,
            user=cast.handlaggare,
            typ=Handling.Typ.BILAGA,
            riktning=Handling.Riktning.UPPRATTAD,
            titel="Underlag",
            fil=SimpleUploadedFile("underlag.pdf", PDF),
        )
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []


def test_filkontroll_reports_strays_and_losses_and_removes_old_strays(cast, arende, settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    kept = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BILAGA,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Underlag",
        fil=SimpleUploadedFile("underlag.pdf", PDF),
    )
    stray = Path(settings.MEDIA_ROOT) / "handlingar" / "2025" / "HSN-1" / "forlorad.pdf"
    stray.write_bytes(PDF)
    out = io.StringIO()
    call_command("filkontroll", stdout=out)
    assert "utan handling: handlingar/2025/HSN-1/forlorad.pdf" in out.getvalue()
    call_command("filkontroll", "--ta-bort", stdout=out)  # too young to be removed yet
    assert stray.exists()
    call_command("filkontroll", "--ta-bort", "--aldre-an", "0", stdout=out)
    assert not stray.exists() and Path(kept.fil.path).exists()

    Path(kept.fil.path).unlink()
    with pytest.raises(CommandError, match="1 handlingar saknar sin fil"):
        call_command("filkontroll", stdout=out)
