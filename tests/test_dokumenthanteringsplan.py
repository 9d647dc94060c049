"""The klassificeringsstruktur and the dokumenthanteringsplan, changed in the admin: what decides
which handlingar are gallrade (arkivlagen 10 §) is never changed unseen. Every change of a klass
and of its rows is in their field history, by whom and when, and a form read before another's
change is refused rather than saved over it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from arenden.models import Bevarande, Klass

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
