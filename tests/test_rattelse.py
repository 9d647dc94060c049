"""A rättelse of a justerat protokoll (FL 36 §) is a proposal by its author that takes effect
only when the ordförande and the justerare who justerade the protokoll have signed it, as
they signed the protokoll (KL 5 kap. 69 §, 6 kap. 35 §); every step is a link in the
sammanträde's hash-chained history, and the protokoll prints it only once in effect."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arenden.dokument import services as dokument
from arenden.models import Rattelse, Rattelsesignatur
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import both
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history

pytestmark = pytest.mark.django_db

TEXT = "Beslutet avser 2026 års riktlinjer, inte 2025 års."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    return Mote(cast_for("HSN")).till("anslaget")


def test_a_rattelse_takes_effect_when_ordforande_and_justerare_have_signed(mote):
    s = mote.las_om()
    rattelse = protokoll.foresla_rattelse(s, user=mote.sek, punkt=mote.arendepunkt, text=TEXT)
    # proposed: not in the protokoll yet
    assert rattelse.giltig is None
    assert all(TEXT not in text for text in both(dokument.protokoll(s)))
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    rattelse.refresh_from_db()
    assert rattelse.giltig is None
    assert all(TEXT not in text for text in both(dokument.protokoll(mote.las_om())))
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    assert rattelse.giltig is not None
    for text in both(dokument.protokoll(mote.las_om())):
        assert TEXT in text
        assert f"skriven av {mote.sek.username}" in text
        assert f"signerad av {mote.ordforande.namn} och {mote.justerare.namn}" in text
    # every step in the chain, by whom it was taken
    steg = [(h.transition, h.actor) for h in history(mote.las_om())][-3:]
    assert steg == [
        ("foresla_rattelse", mote.sek),
        ("signera_rattelse", mote.ordforande_user),
        ("ratta", mote.justerare_user),
    ]
    forslag = history(mote.las_om()).get(transition="foresla_rattelse")
    assert TEXT in forslag.comment and mote.sek.username in forslag.comment


def test_only_those_who_justerade_sign_and_each_once(mote):
    s = mote.las_om()
    rattelse = protokoll.foresla_rattelse(s, user=mote.sek, punkt=mote.arendepunkt, text=TEXT)
    for user in (mote.sek, mote.ledamot_user, mote.cast.revisor):
        with pytest.raises(PermissionDenied, match="Bara ordföranden och justerarna"):
            protokoll.signera_rattelse(rattelse, user=user)
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    with pytest.raises(PermissionDenied, match="var och en en gång"):
        protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    assert Rattelsesignatur.objects.filter(rattelse=rattelse).count() == 1
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    with pytest.raises(ValidationError, match="redan signerad"):
        protokoll.signera_rattelse(rattelse, user=mote.justerare_user)


def test_the_justerare_may_propose_a_rattelse(mote):
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.justerare_user, punkt=mote.arendepunkt, text=TEXT
    )
    assert rattelse.forfattare == mote.justerare.namn


def test_the_pages_propose_and_sign_and_refuse_others(mote):
    s = mote.las_om()
    sek = Client()
    sek.force_login(mote.sek)
    svar = sek.post(
        f"/sammantrade/{s.pk}/rattelse/",
        factories.fran_motessidan(
            s, {"rattelse-text": TEXT, "rattelse-punkt": mote.arendepunkt.pk}
        ),
        follow=True,
    )
    assert svar.status_code == 200
    assert "Rättelsen är föreslagen" in svar.content.decode()
    rattelse = Rattelse.objects.get()
    # the secretary cannot sign: a Swedish message and a redirect, nothing recorded
    svar = sek.post(f"/rattelse/{rattelse.pk}/signera/", factories.fran_motessidan(s), follow=True)
    assert svar.status_code == 200 and "Bara ordföranden och justerarna" in svar.content.decode()
    assert not rattelse.signaturer.exists()
    assert Client().post(f"/rattelse/{rattelse.pk}/signera/").status_code == 302  # to login
    assert not rattelse.signaturer.exists()
    for user in (mote.ordforande_user, mote.justerare_user):
        klient = Client()
        klient.force_login(user)
        sida = klient.get(f"/sammantrade/{s.pk}/").content.decode()
        assert "Signera rättelsen" in sida
        svar = klient.post(f"/rattelse/{rattelse.pk}/signera/", factories.fran_motessidan(s))
        assert svar.status_code == 302
    rattelse.refresh_from_db()
    assert rattelse.giltig is not None
    assert Client().post("/rattelse/999999/signera/").status_code == 302
    sek_404 = sek.post("/rattelse/999999/signera/")
    assert sek_404.status_code == 404


def test_the_meeting_page_reads_the_rattelser_in_a_fixed_number_of_queries(mote):
    s = mote.las_om()
    klient = Client()
    klient.force_login(mote.ordforande_user)
    forsta = protokoll.foresla_rattelse(s, user=mote.sek, punkt=mote.arendepunkt, text=TEXT)
    protokoll.signera_rattelse(forsta, user=mote.ordforande_user)
    klient.get(f"/sammantrade/{s.pk}/")  # the session and the roles read once
    with CaptureQueriesContext(connection) as en:
        assert klient.get(f"/sammantrade/{s.pk}/").status_code == 200
    for i in range(3):
        r = protokoll.foresla_rattelse(s, user=mote.sek, punkt=mote.arendepunkt, text=f"{TEXT} {i}")
        protokoll.signera_rattelse(r, user=mote.ordforande_user)
    with CaptureQueriesContext(connection) as fyra:
        assert klient.get(f"/sammantrade/{s.pk}/").status_code == 200
    assert len(fyra) == len(en), "\n".join(
        q["sql"]
        for q in fyra.captured_queries
        if q["sql"] not in {e["sql"] for e in en.captured_queries}
    )


def test_a_rattelse_of_a_secret_paragraph_chosen_on_the_page_is_read_only_by_who_may():
    """The page asks which paragraph a rättelse concerns, naming them by number only. One of
    a paragraph whose ärende is secret is masked for who may not read that paragraph (OSL 5
    kap. 5 §): the registrator reads the meeting, not the rättelse's words; the ordförande,
    who decided it, does."""
    mote = Mote(cast_for("HSN"))
    mote.hemligt()
    mote.till("justerat")
    s = mote.las_om()
    sek = Client()
    sek.force_login(mote.sek)
    sida = sek.get(f"/sammantrade/{s.pk}/").content.decode()
    assert f'<option value="{mote.arendepunkt.pk}">§ 1</option>' in sida
    ord_ = "Patientens namn ska vara Nilsson."
    sek.post(
        f"/sammantrade/{s.pk}/rattelse/",
        factories.fran_motessidan(
            s, {"rattelse-punkt": mote.arendepunkt.pk, "rattelse-text": ord_}
        ),
    )
    assert Rattelse.objects.get().punkt_id == mote.arendepunkt.pk
    sidor = {}
    for user in (mote.cast.registrator, mote.ordforande_user):
        klient = Client()
        klient.force_login(user)
        svar = klient.get(f"/sammantrade/{s.pk}/")
        assert svar.status_code == 200
        sidor[user] = svar.content.decode()
    assert ord_ not in sidor[mote.cast.registrator]
    assert ord_ in sidor[mote.ordforande_user]
