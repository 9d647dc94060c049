"""What the meeting's records say agrees with what the meeting, its ärenden and the law say:
a rättelse of a beslut reaches its ärende (FL 36 §), an anslag is dated the day it goes up
(KL 8 kap. 12 §, 13 kap. 5 §), a meeting's protokoll is filed in an open ärende of its own
organ, and a meeting that was held is not called inställt."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from arenden.handlaggning import services
from arenden.models import Punkt, Rattelse
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_rattelse_i_arendet import _expedierat
from tests.test_sammantraden_regler import Mote, cast_for, vagras
from workflow.engine import history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


# -- a rättelse of a beslut names its paragraph (FL 36 §, KL 5 kap. 69 §) ---------------------

PARAGRAF_SAKNAS = "Ange vilken paragraf rättelsen gäller."


def test_a_rattelse_of_a_protokoll_with_beslut_names_its_paragraph():
    """Under *the whole protokoll* a rättelse of § 1's beslut would take effect with no step in
    the ärende, no rättat utdrag and nobody told who got the beslut: it is refused, nothing
    recorded; under its paragraph it reaches the ärende."""
    mote = _expedierat(Mote(cast_for("HSN")))
    mote.arendepunkt.refresh_from_db()
    text = f"§ {mote.arendepunkt.paragraf}: beslutet ska lyda 'Att avslå riktlinjerna'."
    vagras(
        lambda: protokoll.foresla_rattelse(mote.las_om(), user=mote.sek, punkt=None, text=text),
        ValidationError,
        PARAGRAF_SAKNAS,
    )
    assert not Rattelse.objects.exists()
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=text
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    mote.arende.refresh_from_db()
    assert history(mote.arende).last().transition == "rattelse"
    assert services.rattelse_att_skicka(mote.arende) == rattelse


def test_the_page_asks_for_the_paragraph_of_a_rattelse():
    mote = Mote(cast_for("HSN")).till("justerat")
    s = mote.las_om()
    klient = _klient(mote.sek)
    sida = klient.get(f"/sammantrade/{s.pk}/").content.decode()
    assert "Välj paragraf" in sida and "Hela protokollet" not in sida
    svar = klient.post(
        f"/sammantrade/{s.pk}/rattelse/",
        factories.fran_motessidan(s, {"rattelse-text": "Beslutet ska lyda 'Att avslå'."}),
        follow=True,
    )
    assert svar.status_code == 200
    assert "Rättelsen är föreslagen" not in svar.content.decode()
    assert not Rattelse.objects.exists()


def test_a_protokoll_without_beslut_in_arenden_is_corrected_as_a_whole():
    """A protokoll whose paragraphs decide no ärende (here an informationsärende) has no
    ärende for a rättelse to reach: it is corrected as a whole."""
    mote = Mote(cast_for("HSN"), agenda=False)
    info = mote.punkt(typ=Punkt.Typ.AKTUELLT, rubrik="Aktuellt", slag=Punkt.Slag.INFORMATIONSARENDE)
    mote.kalla()
    mote.besluta(info)
    mote.uppratta()
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    s = mote.las_om()
    assert "Hela protokollet" in _klient(mote.sek).get(f"/sammantrade/{s.pk}/").content.decode()
    rattelse = protokoll.foresla_rattelse(s, user=mote.sek, text="Sammanträdet hölls i Sal 2.")
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    assert rattelse.punkt is None and rattelse.giltig is not None
