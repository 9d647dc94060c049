"""Rules of the diarium and the meetings that mutation testing (.ci/mutation) found no test
for: what a registrator is told about a malformed diarienummer, and the edges of the law's
day counting and of the paragraph series.

Each test states what a registrator, a nämndsekreterare or a revisor can check; the mutants
they kill are named in the README's section "Mutationstestning", not here.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from arenden.diarium.diarienummer import Diarienummer
from arenden.sammantraden.models import _helgdagar, _pask
from tests.test_sammantraden import Mote
from workflow.engine import do_transition

# -- diarienummer ----------------------------------------------------------------------------


def refusal(text):
    with pytest.raises(ValidationError) as raised:
        Diarienummer.parse(text)
    error = raised.value
    return error.code, " ".join(error.messages)


def test_malformed_diarienummer_is_quoted_back_with_an_example():
    code, message = refusal("HSN-787-2025")
    assert code == "ogiltigt_diarienummer"
    assert message == (
        "”HSN-787-2025” är inget giltigt diarienummer. Skriv serie, löpnummer och år, "
        "till exempel HSN 787-2025."
    )


def test_missing_diarienummer_is_refused_like_a_malformed_one():
    assert refusal(None)[0] == "ogiltigt_diarienummer"
    code, message = refusal("")
    assert code == "ogiltigt_diarienummer"
    assert message.startswith("”” är inget giltigt diarienummer.")


@pytest.mark.parametrize("ar", [1899, 3000, 1000])
def test_year_outside_1900_to_2999_is_refused_with_the_year(ar):
    code, message = refusal(f"HSN 787-{ar}")
    assert code == "ogiltigt_ar"
    assert message == f"Årtalet {ar} i diarienumret är inte rimligt."


@pytest.mark.parametrize("ar", [1900, 2999])
def test_first_and_last_accepted_years(ar):
    assert Diarienummer.parse(f"HSN 787-{ar}") == Diarienummer("HSN", 787, ar)


def test_lopnummer_zero_is_refused_and_one_accepted():
    assert refusal("HSN 0-2025") == ("ogiltigt_lopnummer", "Löpnumret börjar på 1.")
    assert refusal("HSN 000-2025") == ("ogiltigt_lopnummer", "Löpnumret börjar på 1.")
    assert Diarienummer.parse("HSN 1-2025").nummer == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hsn 418-2-2021", Diarienummer("HSN", 418, 2021, 2)),
        ("Hsn Dnr 0418-0002-2021", Diarienummer("HSN", 418, 2021, 2)),
        ("\tRS  9-2023\n", Diarienummer("RS", 9, 2023)),
        ("ÅÄÖ 1234567-2025", Diarienummer("ÅÄÖ", 1234567, 2025)),
        ("ABCDEFGHIJ 5-2025", Diarienummer("ABCDEFGHIJ", 5, 2025)),
    ],
)
def test_parse_accepts_any_case_spacing_and_leading_zeros(text, expected):
    parsed = Diarienummer.parse(text)
    assert parsed == expected
    assert isinstance(parsed.nummer, int) and isinstance(parsed.ar, int)


@pytest.mark.parametrize(
    "text", ["ABCDEFGHIJK 5-2025", "HSN 12345678-2025", "HSN 418-12345-2021", "HSN 787-20255"]
)
def test_parse_refuses_parts_longer_than_the_series_allows(text):
    assert refusal(text)[0] == "ogiltigt_diarienummer"


def test_delnummer_zero_means_no_delnummer():
    assert str(Diarienummer.parse("HSN 418-0-2021")) == "HSN 418-2021"


# -- the law's holidays (lagen (1930:173) om beräkning av lagstadgad tid) ---------------------


def days(*dates):
    return {datetime.date.fromisoformat(d) for d in dates}


@pytest.mark.parametrize(
    "ar, almanackan",
    [
        (
            2026,
            days(
                "2026-01-01",
                "2026-01-06",
                "2026-04-03",
                "2026-04-05",
                "2026-04-06",
                "2026-05-01",
                "2026-05-14",
                "2026-05-24",
                "2026-06-06",
                "2026-06-19",
                "2026-06-20",
                "2026-10-31",
                "2026-12-24",
                "2026-12-25",
                "2026-12-26",
                "2026-12-31",
            ),
        ),
        (
            # alla helgons dag in November, midsommar on its last possible days
            2027,
            days(
                "2027-01-01",
                "2027-01-06",
                "2027-03-26",
                "2027-03-28",
                "2027-03-29",
                "2027-05-01",
                "2027-05-06",
                "2027-05-16",
                "2027-06-06",
                "2027-06-25",
                "2027-06-26",
                "2027-11-06",
                "2027-12-24",
                "2027-12-25",
                "2027-12-26",
                "2027-12-31",
            ),
        ),
    ],
)
def test_the_holidays_of_a_year_are_the_almanacs(ar, almanackan):
    # A revisor can hold this list against the almanac: the public holidays, midsommarafton,
    # julafton and nyårsafton, whatever weekday they fall on.
    assert _helgdagar(ar) == almanackan


def easter_by_gauss(year):
    """Gauss's Easter rule with its two exceptions: a formulation of the Gregorian computus
    independent of the one the system uses."""
    a, b, c = year % 19, year % 4, year % 7
    k = year // 100
    p = (13 + 8 * k) // 25
    q = k // 4
    m = (15 - p + k - q) % 30
    n = (4 + k - q) % 7
    d = (19 * a + m) % 30
    e = (2 * b + 4 * c + 6 * d + n) % 7
    if d == 29 and e == 6:
        return datetime.date(year, 4, 19)
    if d == 28 and e == 6 and (11 * m + 11) % 30 < 19:
        return datetime.date(year, 4, 18)
    day = 22 + d + e
    return datetime.date(year, 3, day) if day <= 31 else datetime.date(year, 4, day - 31)


def test_easter_agrees_with_gauss_for_every_gregorian_year_to_4099():
    wrong = [ar for ar in range(1583, 4100) if _pask(ar) != easter_by_gauss(ar)]
    assert wrong == []
    # the edges of the tables: the earliest and the latest Easter, and Gauss's two exceptions
    assert [_pask(ar) for ar in (1818, 2285, 1943, 1954, 1981)] == [
        datetime.date(1818, 3, 22),
        datetime.date(2285, 3, 22),
        datetime.date(1943, 4, 25),
        datetime.date(1954, 4, 18),
        datetime.date(1981, 4, 19),
    ]


# -- paragraph numbers ----------------------------------------------------------------------


@pytest.mark.django_db
def test_paragraphs_follow_the_agenda_not_the_order_the_items_were_added():
    # The nämndsekreterare adds the second item first and puts it second on the agenda.
    mote = Mote()
    later_on_agenda = mote.punkt(mote.berett_arende("Tas upp sist"), ordning=2)
    first_on_agenda = mote.punkt(mote.berett_arende("Tas upp först"), ordning=1)
    mote.kalla()
    mote.besluta(later_on_agenda)
    mote.besluta(first_on_agenda)
    mote.uppratta()
    assert [p.rubrik for p in mote.sammantrade.punkter_i_ordning()] == [
        "Tas upp först",
        "Tas upp sist",
    ]
    assert [p.paragraf for p in mote.sammantrade.punkter_i_ordning()] == [1, 2]


@pytest.mark.django_db
def test_protokoll_is_not_drawn_up_and_every_item_without_beslut_is_named():
    mote = Mote()
    decided = mote.punkt(mote.berett_arende("Beslutat"))
    mote.punkt(mote.berett_arende("Obeslutat ett"))
    mote.punkt(mote.berett_arende("Obeslutat två"))
    mote.kalla()
    mote.besluta(decided)
    with pytest.raises(ValidationError) as refused:
        mote.uppratta()
    assert refused.value.code == "beslut_saknas"
    assert refused.value.messages == [
        "Protokollet kan inte upprättas: beslut saknas under punkt 2, 3."
    ]
    assert [p.paragraf for p in mote.sammantrade.punkter_i_ordning()] == [None, None, None]


@pytest.mark.django_db
def test_field_history_says_who_numbered_each_item_and_its_beslut_and_by_which_step():
    # Taken through the engine directly (a job, the generic transition view), with no actor
    # set around it: the one who took the step is still the one recorded.
    mote = Mote()
    punkt = mote.punkt(mote.berett_arende("Ärendet"))
    mote.kalla()
    mote.besluta(punkt)
    sekreterare = mote.cast.sekreterare
    do_transition(mote.sammantrade, "genomfor", sekreterare)
    punkt.refresh_from_db()
    for obj in (punkt, punkt.beslutet):
        latest = obj.history.order_by("-history_id").first()
        assert (latest.paragraf, latest.history_user, latest.history_change_reason) == (
            1,
            sekreterare,
            "genomfor",
        )
