"""The archived protokoll and the record of a gallring are legal records with a signed history
of their own, as every other record of the meeting and the diarium: before, a protokoll file
swapped together with the checksum in its row passed every check (the file agreed with the
row it rewrote), and a gallring record could be rewritten unseen. A row of a tracked model
with no history at all is a finding too: written beside the system."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arenden.arkiv import gallring
from arenden.diarium import services
from arenden.granskning import services as granskning
from arenden.models import (
    Arende,
    GallradHandling,
    Gallringsbeslut,
    Handling,
    Klass,
    Protokollfil,
)
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import do_transition
from workflow.history import verify

pytestmark = pytest.mark.django_db

ANDRAD = "raden som gäller nu har {} som historiken inte har (ändrad utan att historiken skrevs)"
UTAN = "raden finns utan historik (tillagd utan att historiken skrevs)"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.WORKFLOW_CHECKPOINT_DIR = str(tmp_path / "kontrollpunkter")


def avvikelser() -> list[tuple[str, int, str]]:
    return [(r.model_label, r.object_id, r.reason) for r in verify().live]


def _justerat():
    mote = Mote(cast_for("HSN")).till("borjat_justeras")
    mote.justera(mote.justerare_user)
    [rad] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    return mote, rad


def test_the_filed_protokoll_has_a_signed_history_naming_who_justerade():
    mote, rad = _justerat()
    [forsta] = Protokollfil.history.filter(id=rad.pk)
    assert (forsta.history_type, forsta.sha256, forsta.version) == ("+", rad.sha256, 1)
    assert forsta.history_user == mote.justerare_user and forsta.history_mac
    assert avvikelser() == []
    rapport = granskning.kontrollera(mote.sammantrade)
    assert rapport.intact and rapport.field_rows >= 1


def test_a_protokoll_file_swapped_with_its_checksum_is_found_by_the_check():
    """Whoever reaches the files and the table writes another PDF and its checksum: the
    file agrees with its row, and only the row's history says what was filed."""
    _mote, rad = _justerat()
    falsk = b"%PDF-1.4 ett annat protokoll"
    with rad.fil.open("wb") as fil:
        fil.write(falsk)
    Protokollfil.objects.filter(pk=rad.pk).update(sha256=hashlib.sha256(falsk).hexdigest())
    rad.refresh_from_db()
    assert protokoll.protokollfil_ar_intakt(rad)  # the row vouches for the forged file
    assert avvikelser() == [("arenden.historicalprotokollfil", rad.pk, ANDRAD.format("SHA-256"))]
    with pytest.raises(CommandError, match="1 rader som gäller nu avviker"):
        call_command("verify_history")


def test_a_protokoll_version_added_beside_the_system_is_found():
    mote, rad = _justerat()
    (ny,) = Protokollfil.objects.bulk_create(
        [
            Protokollfil(
                sammantrade=mote.sammantrade,
                version=2,
                fil=rad.fil.name,
                filnamn="protokoll-version-2.pdf",
                sha256=rad.sha256,
                skapad=timezone.now(),
            )
        ]
    )
    assert avvikelser() == [("arenden.historicalprotokollfil", ny.pk, UTAN)]


def test_the_meetings_timeline_shows_each_filed_version_with_its_checksum():
    mote, rad = _justerat()
    klient = Client()
    klient.force_login(mote.cast.revisor)
    sida = klient.get(
        reverse("arenden:sammantrade_tidslinje", args=[mote.sammantrade.pk])
    ).content.decode()
    assert str(Protokollfil._meta.verbose_name) in sida
    assert rad.sha256 in sida and rad.filnamn in sida


def _gallrat(cast, django_capture_on_commit_callbacks):
    """An ärende closed in 2022 whose two skrivelser, one of them secret, are gallrade."""
    arende = cast.registrera("Klagomål på parkering", typ="skrivelse", klassificering="3.1")
    oppen, hemlig = (
        services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ="skrivelse",
            riktning="inkommen",
            titel=titel,
            datum=datetime.date(2022, 5, 10),
            fil=ContentFile(titel.encode(), name="s.txt"),
            **extra,
        )
        for titel, extra in (
            ("Skrivelse om parkering", {}),
            (
                "Journal om Gnuttesjuka",
                {"sekretess_lagrum": "OSL 25 kap. 1 §", "offentlig_titel": "Journalhandling"},
            ),
        )
    )
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    Arende.objects.filter(pk=arende.pk).update(avslutat=datetime.date(2022, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        beslut = gallring.gallra(
            Handling.objects.filter(pk__in=[oppen.pk, hemlig.pk]),
            beslut="RS 2024-05-12 § 45",
            user=cast.registrator,
        )
    return arende, beslut, oppen, hemlig


def test_a_gallring_record_rewritten_beside_the_system_is_found(
    django_capture_on_commit_callbacks,
):
    cast = factories.Cast()
    _arende, beslut, oppen, _hemlig = _gallrat(cast, django_capture_on_commit_callbacks)
    [rad] = Gallringsbeslut.history.filter(id=beslut.pk)
    assert rad.history_user == cast.registrator and rad.beslut == "RS 2024-05-12 § 45"
    post = GallradHandling.objects.get(handling=oppen)
    assert GallradHandling.history.filter(id=post.pk, history_user=cast.registrator).exists()
    assert [a for a in avvikelser() if "gallr" in a[0]] == []
    Gallringsbeslut.objects.filter(pk=beslut.pk).update(beslut="RS 2025-01-01 § 1")
    GallradHandling.objects.filter(pk=post.pk).update(sha256="0" * 64)
    assert [a for a in avvikelser() if "gallr" in a[0]] == [
        ("arenden.historicalgallradhandling", post.pk, ANDRAD.format("SHA-256")),
        ("arenden.historicalgallringsbeslut", beslut.pk, ANDRAD.format("beslut")),
    ]


def test_the_arendes_timeline_shows_what_a_gallring_removed_and_masks_a_secret_one(
    django_capture_on_commit_callbacks,
):
    cast = factories.Cast()
    arende, _beslut, oppen, hemlig = _gallrat(cast, django_capture_on_commit_callbacks)
    namn = str(GallradHandling._meta.verbose_name)

    def gallrat(las_sekretess):
        return {
            h.objekt: {a.falt: a.till for a in h.andringar}
            for h in granskning.tidslinje(arende, 0, 1000, las_sekretess=las_sekretess)
            if h.objekt.startswith(namn)
        }

    allt = gallrat(True)
    assert len(allt) == 2
    visat = [v for v in allt.values() if v["titel"] == "Skrivelse om parkering"]
    assert visat and visat[0]["SHA-256"] == oppen.sha256 and "RS 2024-05-12" in visat[0]["gallring"]
    maskerat = [v for v in gallrat(False).values() if v.get("gallring", "").endswith("§ 45")]
    assert len(maskerat) == 2
    assert "Journal om Gnuttesjuka" not in str(maskerat)
    assert {v["titel"] for v in maskerat} == {
        "Skrivelse om parkering",
        "Sekretess (OSL 25 kap. 1 §)",
    }
    assert granskning.kontrollera(arende).intact
    assert GallradHandling.objects.get(handling=hemlig).titel == hemlig.publik_titel


def test_the_rows_migrations_wrote_have_their_first_history_row():
    """The klassificeringsstruktur came with a migration before it had a history; the
    migration that made a row without history a finding gave each of them its first row."""
    klasser = Klass.objects.count()
    assert klasser > 0
    forsta = Klass.history.filter(history_change_reason="fanns innan historiken fördes")
    assert forsta.count() == klasser
    assert [a for a in avvikelser() if a[0] == "arenden.historicalklass"] == []


def test_the_timelines_cost_does_not_grow_with_what_a_gallring_removed(
    django_capture_on_commit_callbacks,
):
    """Each gallrad handling is named by its title on the timeline, masked when secret: the
    handlingar and their ärende are read together, not one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def kostnad(antal):
        cast = factories.Cast(f"N{antal}{Arende.objects.count()}")
        arende = cast.registrera("Klagomål", typ="skrivelse", klassificering="3.1")
        for n in range(antal):
            services.lagg_till_handling(
                arende,
                user=cast.registrator,
                typ="skrivelse",
                riktning="inkommen",
                titel=f"Skrivelse {n}",
                datum=datetime.date(2022, 5, 10),
                fil=ContentFile(b"x", name="s.txt"),
            )
        do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
        Arende.objects.filter(pk=arende.pk).update(avslutat=datetime.date(2022, 6, 1))
        with django_capture_on_commit_callbacks(execute=True):
            gallring.gallra(list(arende.handlingar.all()), beslut="RS § 45", user=cast.registrator)
        with CaptureQueriesContext(connection) as fragor:
            handelser = granskning.tidslinje(arende, 0, 1000, las_sekretess=False)
        namn = str(GallradHandling._meta.verbose_name)
        assert len([h for h in handelser if h.objekt.startswith(namn)]) == antal
        return len(fragor)

    kostnad(1)  # the first reads what is cached after (content types, the workflows)
    assert kostnad(2) == kostnad(5)
