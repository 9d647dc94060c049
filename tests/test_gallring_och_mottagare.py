"""Two rules of secrecy and the archive, as a user meets them.

Gallring and a begäran om allmän handling: a handling someone has asked for stays while the
begäran is tried, and while a refusal to hand it out, in whole or in part, can still be
appealed to kammarrätten (förvaltningslagen 44 §, OSL 6 kap. 7–8 §§): the court tries the
handling as it is. ``manage.py gallring`` says which handlingar it holds back, and why.

The sändlista of a sekretessmarkerat ärende: who the beslut is sent to (a patient, a relative)
is part of what is protected. The expediera and sändlista pages and their messages show the
recipients as the ärende page does: "Mottagare N (sekretess)" for the registrator, who sends
the beslut without reading it, and the names for who may read the secret content.
"""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arenden.arkiv import gallring
from arenden.begaran import services as begaran_services
from arenden.diarium import services
from arenden.handlaggning import services as handlaggning
from arenden.models import Arende, Begaran, Gallringsbeslut
from tests import factories
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

ORDET = "Zebrafinkssyndrom"
LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _klient(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- gallring and a begäran om allmän handling -------------------------------------------------


def _stangt_med_begaran(cast, *titlar):
    """An ärende of klass 3.1 (everything gallras two years after it is closed), closed in
    2020, with ``titlar`` filed as skrivelser, and a begäran om allmän handling for all of them
    registered by the registrator."""
    arende = cast.registrera("Klagomål på bemötande", typ="skrivelse", klassificering="3.1")
    handlaggning.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    handlingar = [
        services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ="skrivelse",
            riktning="inkommen",
            titel=titel,
            datum=datetime.date(2019, 5, 10),
            fil=ContentFile(titel.encode(), name="fil.txt"),
        )
        for titel in titlar
    ]
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    Arende.objects.filter(pk=arende.pk).update(avslutat=datetime.date(2020, 1, 15))
    begaran = begaran_services.registrera(
        arende,
        user=cast.registrator,
        avser="Kopia av skrivelserna",
        form=Begaran.Form.EPOST,
        handlingar=handlingar,
        inkommen=datetime.date(2025, 11, 3),
    )
    return arende, handlingar, begaran


def _provad_for(begaran, dagar: int) -> datetime.date:
    """The begäran decided ``dagar`` days ago; the day it was decided."""
    tidpunkt = timezone.now() - datetime.timedelta(days=dagar)
    Begaran.objects.filter(pk=begaran.pk).update(provad=tidpunkt)
    return timezone.localdate(tidpunkt)


def _gallring(*args) -> str:
    out = io.StringIO()
    call_command("gallring", *args, stdout=out)
    return out.getvalue()


def test_a_refused_handling_is_held_while_the_refusal_can_be_appealed(cast):
    """The handläggare refuses the begäran: five days later the handling is not due and the
    command says why and until when; thirty days later (the three weeks and the margin run)
    it is due again."""
    arende, [skrivelse], begaran = _stangt_med_begaran(cast, "Skrivelse om bemötande")
    begaran_services.prova(
        begaran,
        user=cast.handlaggare,
        utfall={skrivelse.pk: ("undantas", LAGRUM, "")},
        motivering="Uppgifter om enskildas hälsa.",
    )
    begaran.refresh_from_db()
    assert begaran.state == "avslagen"
    beslut = begaran.beslut  # the decision with överklagandehänvisning, filed in the ärende

    beslutad = _provad_for(begaran, 5)
    assert gallring.forfallna() == []
    ut = beslutad + gallring.OVERKLAGANDETID
    utskrift = _gallring()
    assert "0 handlingar ska gallras." in utskrift
    for handling in (skrivelse, beslut):
        [rad] = [r for r in utskrift.splitlines() if r.startswith(handling.beteckning + "\t")]
        assert rad.endswith(
            "\tinnehålls: begäran om utlämnande inkommen 2025-11-03 avslogs "
            f"{beslutad:%Y-%m-%d}; överklagandetiden löper ut {ut:%Y-%m-%d}"
        ), rad
    assert "2 handlingar innehålls" in utskrift
    # a gallring of it is refused and removes nothing
    with pytest.raises(ValidationError, match="får inte gallras"):
        gallring.gallra([skrivelse], beslut="RS 2024 § 45", user=cast.registrator)
    skrivelse.refresh_from_db()
    assert skrivelse.fil and skrivelse.gallrad is None
    assert not Gallringsbeslut.objects.exists()
    # the last day of the period it is still held; the day after it is not
    assert gallring.forfallna(ut) == []
    assert {h.pk for h in gallring.forfallna(ut + datetime.timedelta(days=1))} == {
        skrivelse.pk,
        beslut.pk,
    }

    _provad_for(begaran, 30)
    assert {h.pk for h in gallring.forfallna()} == {skrivelse.pk, beslut.pk}
    utskrift = _gallring()
    assert "2 handlingar ska gallras." in utskrift and "innehålls" not in utskrift
    assert arende.pk


def test_a_request_refused_in_part_holds_every_handling_it_asked_for(cast):
    """One handling released, one withheld: the decision can be appealed, and the court may
    try the whole of it; both handlingar, the decision and the copy stay."""
    _arende, [ut, undantas], begaran = _stangt_med_begaran(
        cast, "Skrivelse från anhöriga", "Journalanteckning"
    )
    begaran_services.prova(
        begaran,
        user=cast.handlaggare,
        utfall={ut.pk: ("lamnas_ut", "", ""), undantas.pk: ("undantas", LAGRUM, "")},
    )
    begaran.refresh_from_db()
    assert begaran.state == "delvis_utlamnad"
    beslutad = _provad_for(begaran, 5)
    assert gallring.forfallna() == []
    utskrift = _gallring()
    assert "4 handlingar innehålls" in utskrift
    assert (
        f"innehålls: begäran om utlämnande inkommen 2025-11-03 avslogs delvis {beslutad:%Y-%m-%d}"
        in utskrift
    )
    _provad_for(begaran, 30)
    assert {h.pk for h in gallring.forfallna()} == {
        ut.pk,
        undantas.pk,
        begaran.beslut_id,
        begaran.kopia_id,
    }


def test_a_request_holds_its_handling_until_it_is_tried_and_released(cast):
    """Not yet tried: listed as held, with why. Released in whole: nothing to appeal, and
    what was released may be gallrad by the plan."""
    _arende, [skrivelse], begaran = _stangt_med_begaran(cast, "Skrivelse om bemötande")
    assert gallring.forfallna() == []
    utskrift = _gallring()
    [rad] = [r for r in utskrift.splitlines() if r.startswith(skrivelse.beteckning + "\t")]
    assert rad.endswith("\tinnehålls: begäran om utlämnande inkommen 2025-11-03 är inte prövad")
    assert "0 handlingar ska gallras." in utskrift and "1 handlingar innehålls" in utskrift

    begaran_services.prova(
        begaran, user=cast.handlaggare, utfall={skrivelse.pk: ("lamnas_ut", "", "")}
    )
    assert gallring.forfallna() == [skrivelse]
    utskrift = _gallring()
    assert "1 handlingar ska gallras." in utskrift and "innehålls" not in utskrift


# -- the recipients of a secret beslut ---------------------------------------------------------


@pytest.fixture
def beslutat(cast):
    """A sekretessmarkerat ärende, decided at a justerat meeting, to be sent to a patient, a
    relative and a unit."""
    arende = cast.berett(
        "Klagomål från patient",
        sandlista=(f"Patienten {ORDET}", f"Anhörig till {ORDET}", "Patientnämnden"),
        sekretess_lagrum=LAGRUM,
    )
    factories.besluta(arende, cast.sekreterare)
    arende.refresh_from_db()
    assert arende.state == "beslutat"
    return arende


def _rader(arende):
    return list(arende.mottagare.order_by("ordning", "pk"))


def test_the_registrator_sees_and_sends_to_numbered_recipients(cast, beslutat):
    """The registrator, who may expediera but not read the ärende, sees the sändlista as on
    the ärende page, sends each row by its button, and is told which by its number."""
    registrator = _klient(cast.registrator)
    assert not cast.registrator.has_perm("arenden.view_sekretess", beslutat)
    arendesidan = registrator.get(reverse("arenden:arende", args=[beslutat.pk])).content.decode()
    assert ORDET not in arendesidan and "Mottagare 1 (sekretess)" in arendesidan

    url = reverse("arenden:expediera", args=[beslutat.pk])
    svar = registrator.get(url)
    assert svar.status_code == 200
    sida = svar.content.decode()
    assert ORDET not in sida and "Patientnämnden" not in sida
    for nr in (1, 2, 3):
        assert f"Mottagare {nr} (sekretess)" in sida
    assert sida.count("Markera som expedierat") == 3

    sandlista = registrator.get(reverse("arenden:sandlista", args=[beslutat.pk]))
    assert sandlista.status_code == 200
    sida = sandlista.content.decode()
    assert ORDET not in sida and "Mottagare 2 (sekretess)" in sida

    patienten, anhorig, _namnden = _rader(beslutat)
    svar = registrator.post(
        url,
        factories.fran_arendesidan(beslutat, {"mottagare": anhorig.pk, "metod": "post"}),
        follow=True,
    )
    sida = svar.content.decode()
    assert svar.status_code == 200 and ORDET not in sida
    assert "Expedierat till Mottagare 2 (sekretess)." in sida
    anhorig.refresh_from_db()
    assert anhorig.expedierad is not None and anhorig.expedierad_av == cast.registrator
    patienten.refresh_from_db()
    assert patienten.expedierad is None

    # sent again (another tab): the refusal names the row as the page does
    svar = registrator.post(
        url,
        factories.fran_arendesidan(beslutat, {"mottagare": anhorig.pk, "metod": "post"}),
        follow=True,
    )
    sida = svar.content.decode()
    assert ORDET not in sida and "redan expedierat till Mottagare 2 (sekretess)" in sida


def test_the_registrator_changes_the_sandlista_without_reading_it(cast, beslutat):
    """Removing a row asks about it, and says it is gone, by its number; a row added is
    named by its number as well."""
    registrator = _klient(cast.registrator)
    url = reverse("arenden:sandlista", args=[beslutat.pk])
    _patienten, anhorig, _namnden = _rader(beslutat)
    sida = registrator.post(
        url, factories.fran_arendesidan(beslutat, {"ta_bort": anhorig.pk})
    ).content.decode()
    assert ORDET not in sida and "Ta bort Mottagare 2 (sekretess) från sändlistan?" in sida
    svar = registrator.post(
        url,
        factories.fran_arendesidan(
            beslutat, {"ta_bort": anhorig.pk, "bekraftat": "1", "motivering": "Inte part."}
        ),
        follow=True,
    )
    sida = svar.content.decode()
    assert ORDET not in sida and "Mottagare 2 (sekretess) är borttagen från sändlistan." in sida
    assert not beslutat.mottagare.filter(pk=anhorig.pk).exists()

    svar = registrator.post(
        url,
        factories.fran_arendesidan(beslutat, {"adress": f"Syster till {ORDET}"}),
        follow=True,
    )
    sida = svar.content.decode()
    assert ORDET not in sida and "Mottagare 3 (sekretess) är tillagd på sändlistan." in sida
    assert beslutat.mottagare.filter(adress=f"Syster till {ORDET}").exists()


def test_who_may_read_the_secret_content_sees_the_names(cast, beslutat):
    """The same pages by who reads them: the registrator sees numbered rows; the
    nämndsekreterare, who reads the ärende while its beslut is sent (anmält, beslutat), sees
    the names on both pages and in the message; so does the handläggare on the sändlista while
    the ärende is prepared."""
    url = reverse("arenden:expediera", args=[beslutat.pk])
    for namn in ("arenden:expediera", "arenden:sandlista"):
        sida = _klient(cast.registrator).get(reverse(namn, args=[beslutat.pk])).content.decode()
        assert ORDET not in sida and "Mottagare 1 (sekretess)" in sida, namn
    assert cast.sekreterare.has_perm("arenden.view_sekretess", beslutat)
    sekreterare = _klient(cast.sekreterare)
    sida = sekreterare.get(url).content.decode()
    assert f"Patienten {ORDET}" in sida and "(sekretess)</td>" not in sida
    sida = sekreterare.get(reverse("arenden:sandlista", args=[beslutat.pk])).content.decode()
    assert f"Anhörig till {ORDET}" in sida and "Mottagare 1 (sekretess)" not in sida
    patienten = _rader(beslutat)[0]
    svar = sekreterare.post(
        url,
        factories.fran_arendesidan(beslutat, {"mottagare": patienten.pk, "metod": "e-post"}),
        follow=True,
    )
    assert f"Expedierat till Patienten {ORDET}." in svar.content.decode()

    bereds = cast.registrera("Klagomål från anhörig", sekretess_lagrum=LAGRUM)
    handlaggning.tilldela(bereds, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(bereds, "paborja_beredning", cast.handlaggare)
    handlaggning.satt_sandlista(bereds, [f"Anhörig till {ORDET}"], user=cast.handlaggare)
    sida = (
        _klient(cast.handlaggare)
        .get(reverse("arenden:sandlista", args=[bereds.pk]))
        .content.decode()
    )
    assert f"Anhörig till {ORDET}" in sida and "(sekretess)</li>" not in sida


def test_the_pages_read_no_more_for_more_recipients(cast, beslutat):
    """Masking is decided once per page, not per row: eleven masked rows cost what three
    did."""
    registrator = _klient(cast.registrator)
    sidor = ("arenden:expediera", "arenden:sandlista")

    def las(namn):
        with CaptureQueriesContext(connection) as ctx:
            svar = registrator.get(reverse(namn, args=[beslutat.pk]))
        assert svar.status_code == 200
        return len(ctx.captured_queries), svar.content.decode()

    for namn in sidor:
        las(namn)  # the session and the roles read once
    fore = {namn: las(namn)[0] for namn in sidor}
    handlaggning.satt_sandlista(
        beslutat,
        [*(m.adress for m in _rader(beslutat)), *(f"{ORDET} nr {i}" for i in range(8))],
        user=cast.sekreterare,
    )
    for namn in sidor:
        antal, sida = las(namn)
        assert antal == fore[namn], namn
        assert ORDET not in sida and "Mottagare 11 (sekretess)" in sida, namn
