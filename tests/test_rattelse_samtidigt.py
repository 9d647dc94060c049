"""A rättelse (FL 36 §) takes effect while the beslut is being expedierat: who got the
uncorrected utdrag is owed the rättat one. ``Mottagare.expedierad < Rattelse.giltig`` decides
it (arenden.handlaggning.services.fick_fore_rattelsen), so the last signature takes the
ärende's lock, waiting for an expediering in flight to commit, before it dates the rättelse.

Proven on PostgreSQL with the expediering held under the ärende's lock until the last
signature is seen waiting for it; the boundary itself (before or after the last signature)
on both databases."""

import threading
import time

import pytest
from django.db import connection

from arenden.handlaggning import services
from arenden.sammantraden import protokoll
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history

TEXT = "Beslutet avser 2026 års riktlinjer, inte 2025 års."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _justerat_och_halvt_expedierat(*, fler=()):
    """A justerat protokoll whose beslut is sent to Kommunförbundet, not yet to Revisionen
    (nor to ``fler``), and a rättelse of its paragraph signed by all but the justerare."""
    mote = Mote(cast_for("HSN")).till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    services.satt_sandlista(arende, ["Kommunförbundet", "Revisionen", *fler], user=mote.sek)
    forsta, andra = arende.mottagare.order_by("ordning")[:2]
    services.expediera_till(forsta, user=mote.sek, metod="e-post")
    forsta.refresh_from_db()
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    return mote, arende, forsta, andra, rattelse


def _vantar_pa_las() -> bool:
    """Whether a session comes to wait for a row lock within ten seconds."""
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "fler",
    [
        # Revisionen is the last on the sändlista: the expediering moves the ärende to
        # expedierat while the rättelse waits, and the rättelse is recorded from there
        (),
        # one more is left: the ärende stays beslutat
        ("Länsstyrelsen",),
    ],
    ids=["sista_mottagaren", "en_till_kvar"],
)
def test_an_expediering_in_flight_at_the_last_signature_is_owed_the_rattat_utdrag(
    monkeypatch, fler
):
    mote, arende, forsta, andra, rattelse = _justerat_och_halvt_expedierat(fler=fler)
    # the expediering to Revisionen is held once it has the ärende's lock (``andras``), before
    # it dates the sending, until the last signature is seen waiting for a lock
    har_laset, slapp, fel = threading.Event(), threading.Event(), []
    inte_justerat = services.inte_justerat

    def hall_kvar(a):
        har_laset.set()
        assert slapp.wait(20)
        return inte_justerat(a)

    monkeypatch.setattr(services, "inte_justerat", hall_kvar)

    def kor(gora):
        try:
            gora()
        except Exception as error:  # noqa: BLE001 - asserted below
            fel.append(error)
        finally:
            har_laset.set()
            connection.close()

    expediering = threading.Thread(
        target=kor,
        args=(lambda: services.expediera_till(andra, user=mote.sek, metod="post"),),
    )
    expediering.start()
    assert har_laset.wait(20)
    signatur = threading.Thread(
        target=kor,
        args=(lambda: protokoll.signera_rattelse(rattelse, user=mote.justerare_user),),
    )
    signatur.start()
    try:
        # the last signature waits for the ärende the expediering holds
        assert _vantar_pa_las()
    finally:
        slapp.set()
        expediering.join(30)
        signatur.join(30)
    assert fel == []

    rattelse.refresh_from_db()
    andra.refresh_from_db()
    assert rattelse.giltig is not None and andra.expedierad is not None
    # Revisionen was sent the beslut before the rättelse was in effect: they have the
    # uncorrected utdrag and are owed the rättat one, as Kommunförbundet is
    assert andra.expedierad < rattelse.giltig
    fick = set(services.fick_fore_rattelsen(arende, rattelse).values_list("pk", flat=True))
    assert fick == {forsta.pk, andra.pk}
    assert services.rattat_utdrag_kvar(arende) == [(rattelse, [forsta, andra])]
    services.skicka_rattelse(andra, user=mote.sek, metod="post")
    arende.refresh_from_db()
    assert arende.state == ("expedierat" if not fler else "beslutat")
    assert list(history(arende))[-1].transition == "rattelse"


@pytest.mark.django_db
def test_expedierad_before_the_last_signature_is_owed_the_rattat_utdrag_after_is_not():
    mote, arende, forsta, andra, rattelse = _justerat_och_halvt_expedierat()
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    # Revisionen is sent the beslut after the rättelse took effect: the rättat utdrag, filed
    # in the ärende with the last signature, is what they get; nothing more is owed them
    services.expediera_till(andra, user=mote.sek, metod="post")
    andra.refresh_from_db()
    assert forsta.expedierad < rattelse.giltig <= andra.expedierad
    assert list(services.fick_fore_rattelsen(arende, rattelse)) == [forsta]
    services.skicka_rattelse(forsta, user=mote.sek, metod="e-post")
    assert services.rattat_utdrag_kvar(arende) == []
