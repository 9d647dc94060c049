"""The whole file's checksum and size of a meeting's kallelse or protokoll filed in the
meeting's ärende are not shown to a reader who is handed the file masked: an item marked
after the filing makes the whole file one only who may read all of it gets, and its
checksum would confirm a copy of it (OSL 5 kap. 5 §). The meeting's own pages already kept
it back (protokoll.maskeras_for); the ärende page, its timeline and the API did not."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from arenden.models import Handling
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def motesarende():
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("anslaget")
    mote.hemligt()  # an item marked after the kallelse and protokoll were filed
    dokumenten = list(Handling.objects.filter(arende=moteslista, typ__in=["kallelse", "protokoll"]))
    assert dokumenten and not any(h.hemlig for h in dokumenten)
    return cast, moteslista, dokumenten


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def test_who_gets_the_documents_masked_is_not_told_the_whole_files_checksum(motesarende):
    cast, moteslista, dokumenten = motesarende
    registrator = _klient(cast.registrator)
    sida = registrator.get(reverse("arenden:arende", args=[moteslista.pk])).content.decode()
    tidslinje = registrator.get(reverse("arenden:tidslinje", args=[moteslista.pk])).content.decode()
    for h in dokumenten:
        fil = registrator.get(reverse("arenden:handling_fil", args=[h.pk]))
        assert hashlib.sha256(fil.content).hexdigest() != h.sha256  # masked, made now
        api = registrator.get(f"/api/handlingar/{h.pk}/").json()
        assert (api["sha256"], api["storlek"]) == (None, None)
        assert h.sha256[:12] not in sida
        assert h.sha256 not in tidslinje
    assert "kan omfatta sammanträdets sekretessmarkerade punkter" in tidslinje


def test_who_may_read_the_meetings_secret_content_sees_the_checksums(motesarende):
    cast, moteslista, dokumenten = motesarende
    revisor = _klient(cast.revisor)
    assert cast.revisor.has_perm("arenden.view_sekretess", moteslista)
    sida = revisor.get(reverse("arenden:arende", args=[moteslista.pk])).content.decode()
    for h in dokumenten:
        assert h.sha256[:12] in sida
        assert revisor.get(f"/api/handlingar/{h.pk}/").json()["sha256"] == h.sha256
