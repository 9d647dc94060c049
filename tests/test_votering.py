"""Votering by name, open and sluten (KL 5 kap. 53–57 §§ in fullmäktige, 6 kap. 33 § in a
nämnd): an open vote records each serving member's ja, nej or avstår and the totals follow
from them, checked against those serving (a jävig member kept out); a sluten omröstning is
for a val only, and keeps who took part and the totals, never who voted how. The protokoll
prints the voteringslista."""

import pytest
from django.core.exceptions import ValidationError

from arenden.dokument import services as dokument
from arenden.models import Omrostningsdeltagare, Rost, Votering
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import both
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    return Mote(cast_for("HSN")).till("kallat")


def votera(mote, **kw):
    kw.setdefault("proposition", "Bifall mot avslag")
    kw.setdefault("resultat", "Nämnden bifaller förslaget.")
    return protokoll.registrera_votering(mote.arendepunkt, user=mote.sek, **kw)


def test_an_open_vote_by_name_derives_its_totals_and_prints_the_list(mote):
    votering = votera(
        mote,
        roster={
            mote.ordforande: "ja",
            mote.justerare: "nej",
            mote.ledamot: "ja",
            mote.annan: "avstar",
        },
    )
    assert (votering.slag, votering.ja, votering.nej, votering.avstar) == ("oppen", 2, 1, 1)
    assert {(r.person, r.rost) for r in votering.roster.all()} == {
        (mote.ordforande, "ja"),
        (mote.justerare, "nej"),
        (mote.ledamot, "ja"),
        (mote.annan, "avstar"),
    }
    mote.besluta()
    for text in both(dokument.protokoll(mote.las_om())):
        assert "Votering: Bifall mot avslag. Ja 2, nej 1, avstår 1." in text
        assert "Voteringslista" in text
        assert f"{mote.justerare.namn} (s): nej" in text
        assert f"{mote.annan.namn} (s): avstår" in text


def test_every_serving_member_votes_once_and_no_one_else(mote):
    with pytest.raises(ValidationError, match="Röst saknas för"):
        votera(mote, roster={mote.ordforande: "ja", mote.justerare: "nej", mote.ledamot: "ja"})
    with pytest.raises(ValidationError, match="tjänstgör inte under punkt"):
        votera(
            mote,
            roster={
                mote.ordforande: "ja",
                mote.justerare: "nej",
                mote.ledamot: "ja",
                mote.annan: "ja",
                mote.tjansteperson: "ja",
            },
        )
    with pytest.raises(ValidationError, match="ja, nej eller avstår"):
        votera(
            mote,
            roster={
                mote.ordforande: "ja",
                mote.justerare: "nej",
                mote.ledamot: "ja",
                mote.annan: "kanske",
            },
        )
    assert not Votering.objects.exists() and not Rost.objects.exists()


def test_a_javig_member_does_not_vote(mote):
    """KL 6 kap. 28 §: the jävig member takes no part in the item."""
    protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=mote.sek, grund="Släkt")
    with pytest.raises(ValidationError, match="tjänstgör inte under punkt"):
        votera(
            mote,
            roster={
                mote.ordforande: "ja",
                mote.justerare: "nej",
                mote.ledamot: "ja",
                mote.annan: "nej",
            },
        )
    votering = votera(
        mote, roster={mote.ordforande: "ja", mote.justerare: "nej", mote.ledamot: "ja"}
    )
    assert (votering.ja, votering.nej, votering.avstar) == (2, 1, 0)


def test_a_sluten_omrostning_is_only_for_a_val(mote):
    """KL 5 kap. 55 §, 6 kap. 33 §."""
    with pytest.raises(ValidationError, match="Sluten omröstning får bara användas vid val"):
        votera(
            mote,
            sluten=True,
            ja=2,
            nej=2,
            deltog=[mote.ordforande, mote.justerare, mote.ledamot, mote.annan],
        )
    assert not Votering.objects.exists()


def test_a_sluten_omrostning_keeps_who_took_part_never_how(mote):
    deltog = [mote.ordforande, mote.justerare, mote.ledamot]
    with pytest.raises(ValidationError, match="Vid sluten omröstning antecknas inte"):
        votera(mote, sluten=True, val=True, roster={p: "ja" for p in deltog})
    with pytest.raises(ValidationError, match="men 3 ledamöter"):
        votera(mote, sluten=True, val=True, ja=3, nej=1, deltog=deltog)
    votering = votera(
        mote,
        proposition="Val av ledamot till beredningen: Anna mot Bertil",
        resultat="Anna är vald.",
        sluten=True,
        val=True,
        ja=2,
        nej=1,
        deltog=deltog,
    )
    assert votering.slag == "sluten" and not Rost.objects.exists()
    assert {d.person for d in Omrostningsdeltagare.objects.all()} == set(deltog)
    mote.besluta()
    for text in both(dokument.protokoll(mote.las_om())):
        assert "Sluten omröstning vid val" in text and "Ja 2, nej 1" in text
        assert f"Deltog i omröstningen: {mote.ordforande.namn} (s)" in text
        assert "Voteringslista" not in text


def test_the_totals_only_vote_still_works(mote):
    votering = votera(mote, ja=3, nej=1)
    assert (votering.ja, votering.nej) == (3, 1) and not votering.roster.exists()
    with pytest.raises(ValidationError, match="men 4 ledamöter tjänstgör"):
        votera(mote, ja=9, nej=1)


def test_the_meeting_page_records_a_vote_by_name_and_refuses_a_sluten_one_outside_a_val(mote):
    from django.test import Client

    klient = Client()
    klient.force_login(mote.sek)
    url = f"/punkt/{mote.arendepunkt.pk}/votering/"
    sida = klient.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    assert f"votering-rost_{mote.annan.pk}" in sida
    falt = {
        "votering-omrostning": "namn",
        "votering-proposition": "Bifall mot avslag",
        "votering-resultat": "Nämnden bifaller förslaget.",
        f"votering-rost_{mote.ordforande.pk}": "ja",
        f"votering-rost_{mote.justerare.pk}": "ja",
        f"votering-rost_{mote.ledamot.pk}": "nej",
    }
    svar = klient.post(url, factories.fran_motessidan(mote.sammantrade, falt), follow=True)
    assert "Röst saknas för" in svar.content.decode() and not Votering.objects.exists()
    falt[f"votering-rost_{mote.annan.pk}"] = "avstar"
    assert klient.post(url, factories.fran_motessidan(mote.sammantrade, falt)).status_code == 302
    votering = Votering.objects.get()
    assert (votering.ja, votering.nej, votering.avstar) == (2, 1, 1)
    svar = klient.post(
        url,
        factories.fran_motessidan(mote.sammantrade)
        | {
            "votering-omrostning": "sluten",
            "votering-proposition": "Bifall mot avslag",
            "votering-resultat": "x",
            "votering-ja": "2",
            "votering-nej": "2",
            "votering-deltog": [
                mote.ordforande.pk,
                mote.justerare.pk,
                mote.ledamot.pk,
                mote.annan.pk,
            ],
        },
        follow=True,
    )
    assert svar.status_code == 200
    assert "Sluten omröstning får bara användas vid val" in svar.content.decode()
    assert Votering.objects.count() == 1


def test_a_propositionsordning_is_voted_on_once_and_another_one_may_follow(mote):
    """KL 5 kap. 53 §, 6 kap. 33 §: one vote each on a question. A kontraproposition and the
    huvudvotering are two questions; the same one recorded again (a second tab, a second
    secretary) is refused and changes nothing."""
    forsta = votera(mote, proposition="Kontraproposition: A mot B", ja=3, nej=1)
    with pytest.raises(ValidationError, match="samma propositionsordning är redan förd"):
        votera(mote, proposition="Kontraproposition: A mot B", ja=2, nej=2)
    assert list(Votering.objects.all()) == [forsta]
    votera(mote, proposition="Huvudvotering: bifall mot A", ja=2, nej=2)
    assert Votering.objects.count() == 2
