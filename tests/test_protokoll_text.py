"""What the protokoll says: a text a nämndsekreterare would sign.

Each test reads the document as it is written out (the blocks every format shares) and checks
one thing the law or the practice of Swedish protokoll asks for: a draft says it is not
justerat; the protokoll names who kept it and who signed, and when; an uppdrag decided
under a paragraph is in the paragraph and in its utdrag; the motivering of a bordläggning is
said once; the anslagsbevis names the protokoll, the days and where it is kept (KL 8 kap. 12 §).
"""

import datetime

import pytest
from django.utils import timezone

from arenden.dokument import services as dokument
from arenden.models import Punkt
from arenden.sammantraden import protokoll
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    mote = Mote(cast_for("HSN"))
    mote.sek.first_name, mote.sek.last_name = "Stina", "Sekreterare"
    mote.sek.save()
    return mote


def rader(dok) -> list[str]:
    """Every line of the document: its head, then each block's text and list lines."""
    ut = [f"{etikett}: {varde}" for etikett, varde in dok.huvud]
    for block in dok.block:
        ut += [block.text] if block.text else []
        ut += block.rader
    return ut


def test_a_draft_says_it_is_not_justerat_and_a_justerat_protokoll_does_not(mote):
    mote.till("genomfort")
    assert "Status: Ej justerat" in rader(dokument.protokoll(mote.sammantrade))
    assert "Status: Ej justerat" in rader(dokument.protokollsutdrag(mote.arendepunkt))
    assert not [r for r in rader(dokument.protokollsutdrag(mote.arendepunkt)) if "bestyrks" in r]
    mote.justera(mote.ordforande_user)
    assert "Status: Ej justerat" in rader(dokument.protokoll(mote.sammantrade))
    mote.justera(mote.justerare_user)
    assert "Status: Ej justerat" not in rader(dokument.protokoll(mote.las_om()))
    # the utdragsbestyrkande names who vouches for it: the sekreterare who kept the protokoll
    idag = timezone.localdate()
    assert f"Utdraget bestyrks: Stina Sekreterare, {idag:%Y-%m-%d}" in rader(
        dokument.protokollsutdrag(mote.arendepunkt)
    )


def test_the_signature_block_names_the_secretary_and_who_has_signed(mote):
    """KL 5 kap. 69 §: the ordförande and the justerare sign; the protokoll says who kept it
    and, for each signatory, when they signed or that they have not yet."""
    mote.till("genomfort")
    tid = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=datetime.UTC)
    mote.justera(mote.ordforande_user, tid)
    text = rader(dokument.protokoll(mote.sammantrade))
    assert "Underskrifter" in text
    start = text.index("Underskrifter")
    assert text[start + 1 : start + 4] == [
        "Vid protokollet: Stina Sekreterare",
        f"Ordförande: {mote.ordforande.namn}, justerade 2025-11-19 11:00",
        f"Justerare: {mote.justerare.namn}, ej justerat",
    ]


def test_an_uppdrag_is_in_the_paragraph_and_in_its_utdrag(mote):
    mote.kalla()
    protokoll.besluta(
        mote.arendepunkt,
        user=mote.sek,
        utfall=Punkt.Utfall.BIFALL,
        beslut="Att anta riktlinjerna.",
        uppdrag=[("Återrapportera införandet.", datetime.date(2026, 6, 17), None)],
    )
    vantat = (
        "Återrapportera införandet. Återrapporteras till Hälso- och sjukvårdsnämnden senast "
        "2026-06-17."
    )
    assert vantat in rader(dokument.protokoll(mote.sammantrade))
    assert vantat in rader(dokument.protokollsutdrag(mote.arendepunkt))


@pytest.mark.parametrize(
    ("utfall", "mening"),
    [
        (Punkt.Utfall.BORDLAGGNING, "Ärendet bordläggs. Motivering: Mer underlag behövs."),
        (
            Punkt.Utfall.ATERREMISS,
            "Ärendet återremitteras till Hälso- och sjukvårdsnämnden. Motivering: Mer underlag "
            "behövs.",
        ),
    ],
)
def test_the_motivering_of_a_bordlaggning_or_aterremiss_is_said_once(mote, utfall, mening):
    mote.kalla()
    protokoll.besluta(
        mote.arendepunkt, user=mote.sek, utfall=utfall, motivering="Mer underlag behövs."
    )
    text = rader(dokument.protokoll(mote.sammantrade))
    assert text.count(mening) == 1
    assert sum("Mer underlag behövs." in rad for rad in text) == 1
    # with the beslut in the sekreterare's own words, the motivering follows it, once
    punkt = mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik="Övrigt", slag=Punkt.Slag.BESLUTSARENDE)
    protokoll.besluta(
        punkt,
        user=mote.sek,
        utfall=utfall,
        beslut="Nämnden beslutar att vänta med ärendet.",
        motivering="Yttrande saknas.",
    )
    text = rader(dokument.protokoll(mote.sammantrade))
    assert "Nämnden beslutar att vänta med ärendet." in text
    assert "Motivering: Yttrande saknas." in text
    assert sum("Yttrande saknas." in rad for rad in text) == 1


def test_the_anslagsbevis_names_the_protokoll_the_days_and_where_it_is_kept(mote):
    """KL 8 kap. 12 §: justerat Wednesday 19 November 2025 and anslaget the same day; the
    time for laglighetsprövning ends Wednesday 10 December (KL 13 kap. 5 §), so the anslag
    comes down on the 11th at the earliest."""
    mote.till("anslaget")
    text = rader(dokument.protokoll(mote.las_om()))
    start = text.index("Anslagsbevis")
    assert text[start + 1 : start + 5] == [
        "Anslaget på den digitala anslagstavlan 2025-11-19. Sista dag för överklagande "
        "(laglighetsprövning) 2025-12-10.",
        "Protokoll från sammanträdet 2025-11-12, §§ 1–2.",
        "Anslaget tas ned tidigast 2025-12-11.",
        "Protokollet förvaras i diariet för Hälso- och sjukvårdsnämnden.",
    ]
    utdrag = rader(dokument.protokollsutdrag(mote.arendepunkt))
    assert "Protokoll från sammanträdet 2025-11-12, § 1." in utdrag
