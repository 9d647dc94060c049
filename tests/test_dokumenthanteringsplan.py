"""The klassificeringsstruktur and the dokumenthanteringsplan, changed in the admin: what decides
which handlingar are gallrade (arkivlagen 10 §) is never changed unseen. Every change of a klass
and of its rows is in their field history, by whom and when, and a form read before another's
change is refused rather than saved over it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from arenden.models import Arende, Bevarande, Klass
from tests import factories

pytestmark = pytest.mark.django_db


def _admin(namn: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser(namn, password="x"))
    return client


def _formular(klass: Klass, version: int, **andra_raden) -> dict:
    """The change form as the admin page sends it: the klass, the version it was read at, and
    its rows of the plan (the first changed by ``andra_raden``)."""
    rader = list(klass.bevarande.order_by("pk"))
    data = {
        "kod": klass.kod,
        "namn": klass.namn,
        "overordnad": klass.overordnad_id or "",
        "beskrivning": klass.beskrivning,
        "arendetyper": "[]",
        "initial-arendetyper": "[]",  # the page's hidden initial of a field with a default
        "last_version": version,
        "bevarande-TOTAL_FORMS": len(rader),
        "bevarande-INITIAL_FORMS": len(rader),
        "bevarande-MIN_NUM_FORMS": 0,
        "bevarande-MAX_NUM_FORMS": 1000,
        "_save": "Spara",
    }
    for i, rad in enumerate(rader):
        falt = {
            "id": rad.pk,
            "klass": klass.pk,
            "handlingstyp": rad.handlingstyp,
            "bevaras": "on" if rad.bevaras else "",
            "gallringsfrist_ar": rad.gallringsfrist_ar or "",
            "anmarkning": rad.anmarkning,
        }
        if i == 0:
            falt.update(andra_raden)
        data.update({f"bevarande-{i}-{k}": v for k, v in falt.items() if v != ""})
    return data


@pytest.fixture
def klass():
    klass = Klass.objects.create(kod="9.9", namn="Provklass")
    Bevarande.objects.create(klass=klass, handlingstyp="", bevaras=True)
    Klass.objects.filter(pk=klass.pk).update(arendetyper=[])
    klass.refresh_from_db()
    return klass


def test_a_change_of_the_plan_is_kept_with_who_made_it(klass):
    url = f"/admin/arenden/klass/{klass.pk}/change/"
    anna = _admin("anna")
    assert 'name="last_version"' in anna.get(url).content.decode()
    svar = anna.post(url, _formular(klass, 0, bevaras="", gallringsfrist_ar=2))
    assert svar.status_code == 302, svar.content.decode()[:2000]
    rad = Bevarande.objects.get(klass=klass)
    assert (rad.bevaras, rad.gallringsfrist_ar) == (False, 2)
    andrad = rad.history.order_by("-history_id").first()
    assert andrad.history_type == "~" and andrad.history_user.username == "anna"
    assert (andrad.prev_record.bevaras, andrad.bevaras) == (True, False)
    # the rows changed, the klass did not: no entry of its own, its version moved on
    klass.refresh_from_db()
    assert klass.version == 1 and klass.history.count() == 1
    # the history is shown, on the row and on the klass
    assert anna.get(f"/admin/arenden/bevarande/{rad.pk}/history/").status_code == 200
    assert anna.get(f"/admin/arenden/klass/{klass.pk}/history/").status_code == 200


def test_a_form_read_before_another_change_is_refused_and_changes_nothing(klass):
    url = f"/admin/arenden/klass/{klass.pk}/change/"
    anna, bo = _admin("anna"), _admin("bo")
    # both open the page at version 0; Bo keeps the handlingar for ten years and saves first
    assert bo.post(url, _formular(klass, 0, gallringsfrist_ar=10)).status_code == 302
    # Anna, on the page she read before, would gallra them after two years and rename it
    svar = anna.post(url, {**_formular(klass, 0, bevaras="", gallringsfrist_ar=2), "namn": "Ny"})
    assert svar.status_code == 200
    assert "har ändrats av någon annan sedan du öppnade sidan" in svar.content.decode()
    rad = Bevarande.objects.get(klass=klass)
    assert (rad.bevaras, rad.gallringsfrist_ar) == (True, 10)
    klass.refresh_from_db()
    assert (klass.namn, klass.version) == ("Provklass", 1)
    # read again, her change goes through
    assert anna.post(url, {**_formular(klass, 1), "namn": "Ny"}).status_code == 302
    klass.refresh_from_db()
    assert (klass.namn, klass.version) == ("Ny", 2)
    assert klass.history.order_by("-history_id").first().history_user.username == "anna"


def test_the_rows_of_the_plan_are_not_changed_on_their_own_page(klass):
    rad = Bevarande.objects.get(klass=klass)
    client = _admin("anna")
    url = f"/admin/arenden/bevarande/{rad.pk}/change/"
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.post(url, {"bevaras": "", "gallringsfrist_ar": 1}).status_code == 403
    assert Bevarande.objects.get(pk=rad.pk).bevaras


def test_the_plan_is_never_reverted_from_its_history(klass):
    """simple-history's revert would save an old klass whole, past the version and the
    rows; it is shut off, reading the history is not."""
    anna = _admin("anna")
    url = f"/admin/arenden/klass/{klass.pk}/change/"
    assert anna.post(url, {**_formular(klass, 0), "namn": "Nytt namn"}).status_code == 302
    forsta = klass.history.order_by("history_id").first()
    sida = f"/admin/arenden/klass/{klass.pk}/history/{forsta.history_id}/"
    assert anna.get(sida).status_code == 200
    assert anna.post(sida, {**_formular(klass, 1), "namn": "Provklass"}).status_code == 403
    klass.refresh_from_db()
    assert klass.namn == "Nytt namn"


# -- the structure's rules, kept by the klass whoever saves it -------------------------------


def _registrera(cast) -> int:
    """Register a skrivelse on the page, with no klass named: the structure gives it one."""
    client = Client(raise_request_exception=False)
    client.force_login(cast.registrator)
    svar = client.post(
        "/registrera/",
        {"organ": cast.organ.pk, "arendemening": "Skrivelse om bänkar", "typ": "skrivelse"},
    )
    return svar.status_code


@pytest.mark.parametrize(
    ("typer", "meddelande"),
    [
        ("5", "Ange ärendetyperna som en lista"),
        ('"skrivelse"', "Ange ärendetyperna som en lista"),
        ('{"skrivelse": 1}', "Ange ärendetyperna som en lista"),
        ("[1]", "Ange ärendetyperna som en lista"),
        ('["skrivelser"]', "Okända ärendetyper: skrivelser"),
        ('["remiss", "remiss"]', "Varje ärendetyp får stå en gång"),
        ('["skrivelse"]', "skrivelse har redan klassen 1.1 som standard"),
    ],
    ids=["tal", "ord", "objekt", "lista-med-tal", "okand", "dubbel", "annan-klass"],
)
def test_a_klass_whose_arendetyper_are_not_a_list_of_free_types_is_refused(typer, meddelande):
    """The admin took any JSON as the ärendetyper a klass is the default for: a number made
    every registration without a klass a 500 (``typ in 5``), a word picked the klass by a
    part of it, and an unknown or already claimed ärendetyp was kept without a word."""
    cast = factories.Cast()
    klasser = Klass.objects.count()
    data = {
        "kod": "9.8",
        "namn": "Ny klass",
        "arendetyper": typer,
        "initial-arendetyper": "[]",
        "bevarande-TOTAL_FORMS": 0,
        "bevarande-INITIAL_FORMS": 0,
        "bevarande-MIN_NUM_FORMS": 0,
        "bevarande-MAX_NUM_FORMS": 1000,
        "_save": "Spara",
    }
    svar = _admin("anna").post("/admin/arenden/klass/add/", data)
    assert svar.status_code == 200
    assert meddelande in svar.content.decode()
    assert Klass.objects.count() == klasser
    # and registering goes on, under the klass the structure gives the skrivelse
    assert _registrera(cast) == 302
    assert Arende.objects.get().klassificering == "1.1"


def test_a_klass_may_be_the_default_for_types_no_other_klass_has(klass):
    url = f"/admin/arenden/klass/{klass.pk}/change/"
    svar = _admin("anna").post(url, {**_formular(klass, 0), "arendetyper": "[]"})
    assert svar.status_code == 302
    Klass.objects.filter(kod="1.2").update(arendetyper=[])
    svar = _admin("bo").post(url, {**_formular(klass, 1), "arendetyper": '["remiss"]'})
    assert svar.status_code == 302, svar.content.decode()[:2000]
    klass.refresh_from_db()
    assert klass.arendetyper == ["remiss"]


def test_the_kod_of_a_klass_with_arenden_is_neither_changed_nor_deleted():
    """The ärenden hold the kod of their klass (``Arende.klassificering``): renamed or
    deleted in the admin, the gallring and the archive found no klass for them."""
    cast = factories.Cast()
    arende = cast.registrera("Skrivelse", typ="skrivelse", klassificering="1.3")
    klass = Klass.objects.get(kod="1.3")
    anna = _admin("anna")
    url = f"/admin/arenden/klass/{klass.pk}/change/"
    svar = anna.post(url, {**_formular(klass, 0), "kod": "1.9"})
    assert svar.status_code == 200
    assert "Koden 1.3 kan inte ändras: 1 ärende är registrerat under den" in svar.content.decode()
    klass.refresh_from_db()
    assert (klass.kod, klass.version) == ("1.3", 0)
    # its name may still be corrected
    assert anna.post(url, {**_formular(klass, 0), "namn": "Sammanträden"}).status_code == 302

    Bevarande.objects.filter(klass=klass).delete()  # no row of the plan protects it
    svar = anna.post(f"/admin/arenden/klass/{klass.pk}/delete/", {"post": "yes"})
    assert svar.status_code == 200
    assert "Klassen 1.3: 1 ärende är registrerat under den" in svar.content.decode()
    svar = anna.post(
        "/admin/arenden/klass/",
        {"action": "delete_selected", "_selected_action": [klass.pk], "post": "yes"},
    )
    assert Klass.objects.filter(pk=klass.pk).exists()
    arende.refresh_from_db()
    assert arende.klassificering == "1.3"
    cast.registrera("Skrivelse två", typ="skrivelse", klassificering="1.3")
    svar = anna.post(f"/admin/arenden/klass/{klass.pk}/delete/", {"post": "yes"})
    assert "Klassen 1.3: 2 ärenden är registrerade under den" in svar.content.decode()


def test_a_frist_of_thousands_of_years_is_refused_and_the_gallring_goes_on(
    klass, settings, tmp_path
):
    """The admin took any frist a small integer holds: one of 8000 years made the day it runs
    out a year past 9999, and every listing and gallring of the plan failed on it."""
    import io

    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    url = f"/admin/arenden/klass/{klass.pk}/change/"
    svar = _admin("anna").post(url, _formular(klass, 0, bevaras="", gallringsfrist_ar=8000))
    assert svar.status_code == 200
    assert "En gallringsfrist kan vara högst 200 år" in svar.content.decode()
    rad = Bevarande.objects.get(klass=klass)
    assert (rad.bevaras, rad.gallringsfrist_ar) == (True, None)
    cast = factories.Cast()
    arende = cast.registrera("Skrivelse", typ="skrivelse", klassificering=klass.kod)
    from django.core.files.base import ContentFile

    from arenden.diarium import services
    from workflow.engine import do_transition

    services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Synpunkt",
        fil=ContentFile(b"Synpunkt", name="synpunkt.txt"),
    )
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra")
    # a row saved before the limit is a frist that never runs out, not a failing gallring
    Bevarande.objects.filter(klass=klass).update(bevaras=False, gallringsfrist_ar=8000)
    out = io.StringIO()
    call_command("gallring", stdout=out)
    assert "0 handlingar ska gallras" in out.getvalue()
    Bevarande.objects.filter(klass=klass).update(bevaras=True, gallringsfrist_ar=None)
    # the longest frist is taken
    svar = _admin("bo").post(url, _formular(klass, 0, bevaras="", gallringsfrist_ar=200))
    assert svar.status_code == 302
    assert Bevarande.objects.get(klass=klass).gallringsfrist_ar == 200
