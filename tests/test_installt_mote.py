"""*Ställ in*: a meeting that will not be held (cancelled, or moved to another day) is
inställt by the nämndsekreterare before it begins, with the reason. Its undecided items are
struck (and stay on its list, marked), their ärenden are struck from the föredragningslista
through the ärende's own step *Stryk* and can be anmälda to another meeting; the kallade are
told, on the meeting page, in their portal and by e-mail (without the reason); and the
inställt meeting takes no more changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from arenden.gemensamt.utskick import Utskick
from arenden.models import Deltagare, Person, Punkt
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import (
    CommentRequired,
    RequirementMissing,
    TransitionNotAllowed,
    allowed_transitions,
    do_transition,
    history,
)

pytestmark = pytest.mark.django_db

SKAL = "Ordföranden är sjuk; ärendena tas upp den 20 januari."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class Kallat:
    """A meeting in a month's time, kallat, with two ärenden on its list and a ledamot with
    an account and an e-mail address in its närvaro."""

    def __init__(self):
        self.cast = factories.Cast()
        self.sekreterare = self.cast.sekreterare
        self.arenden = [self.cast.berett("Budget 2027"), self.cast.berett("Ny vårdcentral")]
        self.datum = timezone.localdate() + datetime.timedelta(days=30)
        self.mote = factories.planerat(self.arenden[0], self.sekreterare, self.datum)
        self.punkter = [
            factories.anmal(a, self.sekreterare, sammantrade=self.mote) for a in self.arenden
        ]
        self.led = factories.user("led-ek")
        self.led.email = "ek@example.se"
        self.led.save()
        ledamot = factories.person(
            "Led Ek", anvandare=self.led, typ=Person.Typ.FORTROENDEVALD, parti="s"
        )
        protokoll.lagg_till_deltagare(
            self.mote, ledamot, roll=Deltagare.Roll.LEDAMOT, user=self.sekreterare
        )
        protokoll.kalla(self.mote, user=self.sekreterare)
        self.mote.refresh_from_db()
        assert self.mote.state == "kallat"

    def ny(self, dagar=60):
        return factories.planerat(
            self.arenden[0], self.sekreterare, timezone.localdate() + datetime.timedelta(dagar)
        )


@pytest.fixture
def kallat():
    return Kallat()


def _stall_in(client, kallat, user=None, skal=SKAL, nyckel="installa-1"):
    client.force_login(user or kallat.sekreterare)
    return client.post(
        reverse("arenden:mote_overgang", args=[kallat.mote.pk]),
        factories.fran_motessidan(
            kallat.mote, {"overgang": "installa", "kommentar": skal, "inskick": nyckel}
        ),
    )


def test_an_installt_meeting_gives_its_arenden_back_and_says_so(client, kallat):
    sidan = client
    sidan.force_login(kallat.sekreterare)
    page = sidan.get(reverse("arenden:sammantrade", args=[kallat.mote.pk])).content.decode()
    assert 'value="installa"' in page and 'name="kommentar"' in page  # the button, with reason
    utskick_fore = Utskick.objects.count()

    assert _stall_in(client, kallat).status_code == 302

    kallat.mote.refresh_from_db()
    assert kallat.mote.state == "installt"
    steg = history(kallat.mote).order_by("-seq").first()
    assert (steg.transition, steg.from_state, steg.to_state, steg.comment) == (
        "installa",
        "kallat",
        "installt",
        SKAL,
    )
    for arende, punkt in zip(kallat.arenden, kallat.punkter, strict=True):
        arende.refresh_from_db()
        assert arende.state == "beredd"
        stryk = history(arende).order_by("-seq").first()
        # the reason stays with the meeting: who reads the ärende but not the meeting (its
        # handläggare) learns only that it was cancelled
        assert stryk.transition == "stryk" and stryk.comment == (
            f"Struken från föredragningslistan: {kallat.mote} är inställt."
        )
        punkt.refresh_from_db()  # the item stays on the list, struck
        assert punkt.struken is not None and not punkt.utfall
        assert not arende.punkter.oavgjorda().exists()

    # the meeting page and the portal say it is inställt, and why
    page = client.get(reverse("arenden:sammantrade", args=[kallat.mote.pk])).content.decode()
    assert f"Sammanträdet är inställt: {SKAL}" in page
    assert "Struken" in page and "Budget 2027" in page
    client.force_login(kallat.led)
    portal = client.get("/mina-sammantraden/").content.decode()
    assert f"Sammanträdet är inställt: {SKAL}" in portal
    # the kallade are told by e-mail as the kallelse went: organ, day, inställt; no reason
    brev = Utskick.objects.order_by("-pk").first()
    assert Utskick.objects.count() == utskick_fore + 1
    assert "ek@example.se" in brev.dold_kopia
    assert "inställt" in brev.text and kallat.cast.organ.namn in brev.text
    assert "Ordföranden" not in brev.text and "Ordföranden" not in brev.amne

    # it has no protokoll (KL 5 kap. 69 §, 6 kap. 35 §): none offered, none made; its
    # kallelse, which went out, stays to be read
    client.force_login(kallat.sekreterare)
    page = client.get(reverse("arenden:sammantrade", args=[kallat.mote.pk])).content.decode()
    assert "Protokoll (PDF)" not in page and "Kallelse (PDF)" in page
    for format in ("pdf", "docx"):
        assert client.get(f"/sammantrade/{kallat.mote.pk}/protokoll.{format}").status_code == 404
    assert client.get(f"/sammantrade/{kallat.mote.pk}/kallelse.pdf").status_code == 200

    # lists of meetings show the state
    lista = client.get(reverse("arenden:sammantraden")).content.decode()
    assert "Inställt" in lista

    # nothing more is done to it: no items, no närvaro, no beslut, no step
    mote = kallat.mote
    sek = kallat.sekreterare
    assert not sek.has_perm("arenden.change_sammantrade", mote)
    assert allowed_transitions(mote, sek) == []
    tredje = kallat.cast.berett("Tredje ärendet")
    with pytest.raises((PermissionDenied, ValidationError)):
        protokoll.lagg_till_punkt(mote, user=sek, arende=tredje)
    with pytest.raises((PermissionDenied, ValidationError)):
        protokoll.lagg_till_deltagare(
            mote, factories.person("Ny Person"), roll=Deltagare.Roll.LEDAMOT, user=sek
        )
    with pytest.raises((PermissionDenied, ValidationError)):
        protokoll.besluta(kallat.punkter[0], user=sek, utfall="bifall", beslut="Bifall.")
    assert mote.punkter.count() == 2

    # and each ärende is anmält to another meeting as usual
    nytt = kallat.ny()
    for arende in kallat.arenden:
        punkt = factories.anmal(arende, sek, sammantrade=nytt)
        arende.refresh_from_db()
        assert arende.state == "anmalt" and punkt.sammantrade == nytt


def test_a_planerat_meeting_can_be_installt_too(kallat):
    mote = kallat.ny()
    arende = kallat.cast.berett("Tredje ärendet")
    factories.anmal(arende, kallat.sekreterare, sammantrade=mote)
    protokoll.installa(mote, user=kallat.sekreterare, skal="Flyttat till en annan dag.")
    arende.refresh_from_db()
    mote.refresh_from_db()
    assert (mote.state, arende.state) == ("installt", "beredd")


def test_a_meeting_held_cannot_be_installt(client, kallat):
    """A meeting whose hour has passed with a beslut recorded was held: what happened is in
    its protokoll, and it is not called inställt afterwards."""
    mote = kallat.mote
    mote.datum = timezone.localdate() - datetime.timedelta(days=1)
    mote.save(update_fields=["datum"])
    forsta = kallat.punkter[0]
    protokoll.besluta(forsta, user=kallat.sekreterare, utfall="bifall", beslut="Bifall.")
    with pytest.raises(RequirementMissing, match="sammanträdet har hållits: beslut, yrkanden"):
        protokoll.installa(mote, user=kallat.sekreterare, skal=SKAL)
    mote.refresh_from_db()
    assert mote.state == "kallat"
    assert [a.state for a in map(_las_om, kallat.arenden)] == ["beslutat", "anmalt"]
    assert Punkt.objects.filter(sammantrade=mote, struken__isnull=False).count() == 0
    # the page offers no button for it; posted all the same, it is refused
    client.force_login(kallat.sekreterare)
    page = client.get(reverse("arenden:sammantrade", args=[mote.pk])).content.decode()
    assert 'value="installa"' not in page
    _stall_in(client, kallat)
    mote.refresh_from_db()
    assert mote.state == "kallat"


def test_a_meeting_that_never_took_place_is_installt_after_its_hour(kallat):
    """Its hour has passed and nothing is recorded from it: the cancellation noted afterwards
    still takes its ärenden back, rather than a bordläggning written for a meeting never held."""
    mote = kallat.mote
    mote.datum = timezone.localdate() - datetime.timedelta(days=1)
    mote.save(update_fields=["datum"])
    protokoll.installa(mote, user=kallat.sekreterare, skal=SKAL)
    mote.refresh_from_db()
    assert mote.state == "installt"
    assert [a.state for a in map(_las_om, kallat.arenden)] == ["beredd", "beredd"]


def _las_om(arende):
    arende.refresh_from_db()
    return arende


def test_only_the_namndsekreterare_stalls_in(client, kallat):
    ledamot = kallat.led
    for user in (kallat.cast.handlaggare, ledamot, kallat.cast.stabschef):
        assert "installa" not in {t.id for t in allowed_transitions(kallat.mote, user)}
        with pytest.raises(TransitionNotAllowed):
            do_transition(kallat.mote, "installa", user, SKAL)
    _stall_in(client, kallat, user=kallat.cast.handlaggare)
    kallat.mote.refresh_from_db()
    assert kallat.mote.state == "kallat"
    for arende in kallat.arenden:
        arende.refresh_from_db()
        assert arende.state == "anmalt"
    assert "installa" in {t.id for t in allowed_transitions(kallat.mote, kallat.sekreterare)}
    protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)
    assert kallat.mote.state == "installt"


def test_the_reason_is_required(client, kallat):
    with pytest.raises(CommentRequired):
        protokoll.installa(kallat.mote, user=kallat.sekreterare, skal="  ")
    svar = _stall_in(client, kallat, skal="")
    assert svar.status_code == 302
    kallat.mote.refresh_from_db()
    assert kallat.mote.state == "kallat"
    assert Punkt.objects.filter(sammantrade=kallat.mote, struken__isnull=False).count() == 0


def test_the_same_form_posted_twice_takes_one_step(client, kallat):
    forst = _stall_in(client, kallat)
    # the same form again: the same key and the version the page was read at
    client.force_login(kallat.sekreterare)
    igen = client.post(
        reverse("arenden:mote_overgang", args=[kallat.mote.pk]),
        {
            "overgang": "installa",
            "kommentar": SKAL,
            "inskick": "installa-1",
            "version": forst.wsgi_request.POST["version"],
        },
    )
    assert igen.status_code == 302
    assert history(kallat.mote).filter(transition="installa").count() == 1
    for arende in kallat.arenden:
        assert history(arende).filter(transition="stryk").count() == 1
    # a second form of the same page (another key) is refused as stale
    client.post(
        reverse("arenden:mote_overgang", args=[kallat.mote.pk]),
        {
            "overgang": "installa",
            "kommentar": SKAL,
            "inskick": "installa-2",
            "version": forst.wsgi_request.POST["version"],
        },
    )
    assert history(kallat.mote).filter(transition="installa").count() == 1


def test_stryk_needs_the_item_struck_first(kallat):
    """The ärende's *Stryk* agrees with its item: never taken while an undecided item of a
    list that is not struck waits for the nämnd."""
    arende = kallat.arenden[0]
    with pytest.raises(RequirementMissing):
        do_transition(arende, "stryk", kallat.sekreterare, "Utan att punkten stryks")
    arende.refresh_from_db()
    assert arende.state == "anmalt"


def test_a_fullmaktige_meeting_announced_and_then_installt_is_said_so_on_the_anslagstavla(
    client, kallat
):
    """Announced on the anslagstavla (KL 5 kap. 11 §), then inställt: it vanished, with no
    word to the public who read the announcement. It now stands there as inställt, without
    the reason (which may be secret), until its day; one never announced is not listed."""
    from arenden.models import Organ

    Organ.objects.filter(pk=kallat.mote.organ_id).update(typ=Organ.Typ.FULLMAKTIGE)
    sida = client.get(reverse("arenden:anslagstavla")).content.decode()
    assert "Kommande sammanträden med fullmäktige" in sida and "inställt" not in sida
    oannonserat = kallat.ny()
    protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)
    protokoll.installa(oannonserat, user=kallat.sekreterare, skal=SKAL)
    kallat.mote.refresh_from_db()
    sida = client.get(reverse("arenden:anslagstavla")).content.decode()
    assert "Inställda sammanträden med fullmäktige" in sida
    rad = (
        f"{kallat.mote.organ.namn} {kallat.mote.tid} är inställt (beslutat "
        f"{timezone.localtime(kallat.mote.installt):%Y-%m-%d %H:%M})."
    )
    assert rad in sida and SKAL not in sida
    assert f"{oannonserat.datum:%Y-%m-%d}" not in sida
    assert "Kommande sammanträden med fullmäktige" not in sida
