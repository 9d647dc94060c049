"""A form on the meeting page read before someone else's change is refused, and changes nothing.

The nämndsekreterare keeps the protokoll during the meeting, often two of them at once, and the
ordförande and the justerare sign on the same page. Each form carries the meeting's version as
the page showed it (``Sammantrade.version``); a change to the meeting or one of its parts
moves it under the meeting's lock (``protokoll.andras``); a signature does not, so two signers
do not make each other's page stale. So a närvaro, an item moved or struck, a beslut, a step,
a paragraph's justering or a rättelse's signature is taken on the meeting its sender saw, or
not at all, with a Swedish message. And once an ordförande or a
justerare has begun to justera a paragraph at once (KL 5 kap. 69 §), the paragraph stands:
the next signature is given to the same text as the first.
"""

import datetime
import itertools
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from arenden.models import Paragrafjustering, Punkt, Sammantrade, Yttrande
from arenden.organisation import roles as r
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_inskick import samtidigt
from tests.test_sammantraden_regler import Mote

INAKTUELL = "Någon annan har ändrat i sammanträdet sedan du läste sidan."


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def _sida(klient, mote) -> str:
    return klient.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()


def _version(sida: str) -> str:
    return re.search(r'name="version" value="(\d+)"', sida).group(1)


def _version_nu(mote) -> int:
    return Sammantrade.objects.get(pk=mote.sammantrade.pk).version


def _nagon_annan_andrar(mote) -> None:
    """Another sekreterare notes something in the närvaro: a change to the meeting that
    touches none of what the stale forms below send."""
    protokoll.andra_narvaro(
        mote.deltagare(mote.tjansteperson), user=mote.sek, anteckning="anslöt via Teams"
    )


@pytest.fixture
def mote(db):
    return Mote(factories.Cast())


def _formular(sida: str) -> list[tuple[str, str]]:
    """Each POST form of the page: its action and the version it carries ('' if none)."""
    rader = []
    huvud = sida[sida.index("<main") : sida.index("</main>")]  # not the header's Logga ut
    for form in re.findall(r'<form method="post"[^>]*>.*?</form>', huvud, re.S):
        action = re.search(r'action="([^"]+)"', form).group(1)
        version = re.search(r'name="version" value="(\d+)"', form)
        rader.append((action, version.group(1) if version else ""))
    return rader


@pytest.mark.parametrize("steg", ["planerat", "kallat_med_beslut", "justerat"])
def test_every_form_on_the_meeting_page_carries_the_version_it_shows(mote, steg):
    if steg == "kallat_med_beslut":
        mote.kalla()
        mote.besluta()
    if steg == "justerat":
        mote.till("justerat")
        protokoll.foresla_rattelse(
            mote.sammantrade, user=mote.sek, punkt=mote.arendepunkt, text="Rätt datum är 12 nov."
        )
    anvandare = [mote.sek, mote.ordforande_user, mote.justerare_user]
    sett = set()
    for user in anvandare:
        sida = _sida(_klient(user), mote)
        nu = str(_version_nu(mote))
        formular = _formular(sida)
        assert [a for a, v in formular if v != nu] == []
        sett.update(re.sub(r"\d+", "N", a) for a, _ in formular)
    # the walk saw the forms that matter in this state
    vantade = {
        "planerat": {"/sammantrade/N/narvaro/N/", "/punkt/N/flytta/ned/", "/punkt/N/stryk/"},
        "kallat_med_beslut": {"/punkt/N/justera-omedelbart/", "/punkt/N/reservation/"},
        "justerat": {"/rattelse/N/signera/"},
    }[steg]
    assert vantade <= sett, sett


def _inaktuellt(klient, mote, url, data, *, sida):
    """Send ``data`` from a page read before another's change; the answer and whether the
    meeting's version stood still (nothing was written)."""
    _nagon_annan_andrar(mote)
    fore = _version_nu(mote)
    svar = klient.post(url, {**data, "version": _version(sida)}, follow=True)
    return svar.content.decode(), _version_nu(mote) == fore


def test_a_stale_narvaro_is_refused_and_the_other_change_stands(mote):
    klient = _klient(mote.sek)
    sida = _sida(klient, mote)
    rad = mote.deltagare(mote.annan)
    svar, orort = _inaktuellt(
        klient,
        mote,
        f"/sammantrade/{mote.sammantrade.pk}/narvaro/{rad.pk}/",
        {f"narvaro-{rad.pk}-anteckning": "lämnade tidigt"},
        sida=sida,
    )
    assert INAKTUELL in svar and orort
    rad.refresh_from_db()
    assert (rad.narvarande, rad.anteckning) == (True, "")
    assert mote.deltagare(mote.tjansteperson).anteckning == "anslöt via Teams"
    # read again, the same form is taken
    klient.post(
        f"/sammantrade/{mote.sammantrade.pk}/narvaro/{rad.pk}/",
        {
            f"narvaro-{rad.pk}-narvarande": "on",
            f"narvaro-{rad.pk}-anteckning": "lämnade tidigt",
            "version": _version(_sida(klient, mote)),
        },
    )
    rad.refresh_from_db()
    assert rad.anteckning == "lämnade tidigt"


@pytest.mark.parametrize("atgard", ["flytta", "stryk"])
def test_a_stale_change_to_the_foredragningslista_is_refused(mote, atgard):
    klient = _klient(mote.sek)
    sida = _sida(klient, mote)
    ordning = list(mote.sammantrade.punkter.order_by("ordning").values_list("pk", flat=True))
    url, data = {
        "flytta": (f"/punkt/{mote.info.pk}/flytta/upp/", {}),
        "stryk": (f"/punkt/{mote.arendepunkt.pk}/stryk/", {"motivering": "Underlaget saknas."}),
    }[atgard]
    svar, orort = _inaktuellt(klient, mote, url, data, sida=sida)
    assert INAKTUELL in svar and orort
    assert list(mote.sammantrade.punkter.order_by("ordning").values_list("pk", flat=True)) == (
        ordning
    )
    mote.arende.refresh_from_db()
    assert mote.arende.state == "anmalt"


def test_a_stale_beslut_is_refused_and_the_arende_not_moved(mote):
    mote.kalla()
    klient = _klient(mote.sek)
    sida = _sida(klient, mote)
    svar, orort = _inaktuellt(
        klient,
        mote,
        f"/punkt/{mote.arendepunkt.pk}/beslut/",
        {"beslut-utfall": "bifall", "beslut-beslut": "Att anta riktlinjerna."},
        sida=sida,
    )
    assert INAKTUELL in svar and orort
    mote.arendepunkt.refresh_from_db()
    mote.arende.refresh_from_db()
    assert (mote.arendepunkt.utfall, mote.arende.state) == ("", "anmalt")


def test_a_stale_step_of_the_meeting_is_refused(mote):
    klient = _klient(mote.sek)
    sida = _sida(klient, mote)
    svar, orort = _inaktuellt(
        klient,
        mote,
        f"/sammantrade/{mote.sammantrade.pk}/overgang/",
        {"overgang": "kalla"},
        sida=sida,
    )
    assert INAKTUELL in svar and orort
    assert Sammantrade.objects.get(pk=mote.sammantrade.pk).state == "planerat"
    assert not mote.sammantrade.kallelsemottagare.exists()


def test_a_paragraph_is_not_justerad_on_a_stale_page_nor_changed_once_begun(mote):
    """The ordförande reads § 1 and clicks Justera; meanwhile the sekreterare adds a
    protokollsanteckning to it. The signature would cover text the ordförande never read: it
    is refused. Once the ordförande has signed, the paragraph is no longer changed, so the
    justerare signs the same text."""
    mote.kalla()
    mote.besluta()
    ordforande = _klient(mote.ordforande_user)
    sida = _sida(ordforande, mote)
    assert f"/punkt/{mote.arendepunkt.pk}/justera-omedelbart/" in sida
    protokoll.lagg_till_yttrande(
        mote.arendepunkt,
        user=mote.sek,
        typ=Yttrande.Typ.PROTOKOLLSANTECKNING,
        avgivet_av="V",
        text="Antecknas att underlaget kom sent.",
    )
    svar = ordforande.post(
        f"/punkt/{mote.arendepunkt.pk}/justera-omedelbart/",
        {"version": _version(sida)},
        follow=True,
    )
    assert INAKTUELL in svar.content.decode()
    assert not Paragrafjustering.objects.exists()
    ordforande.post(
        f"/punkt/{mote.arendepunkt.pk}/justera-omedelbart/",
        {"version": _version(_sida(ordforande, mote))},
    )
    assert list(Paragrafjustering.objects.values_list("person", flat=True)) == [mote.ordforande.pk]
    with pytest.raises(PermissionDenied, match="har börjat justeras omedelbart"):
        protokoll.lagg_till_yttrande(
            mote.arendepunkt,
            user=mote.sek,
            typ=Yttrande.Typ.PROTOKOLLSANTECKNING,
            avgivet_av="V",
            text="Sent tillägg.",
        )
    with pytest.raises(PermissionDenied, match="har börjat justeras omedelbart"):
        protokoll.reservera(mote.arendepunkt, mote.ledamot, user=mote.sek)
    # the other items are still written in, and the justerare completes the paragraph
    protokoll.lagg_till_yttrande(
        mote.info, user=mote.sek, typ=Yttrande.Typ.PROTOKOLLSANTECKNING, avgivet_av="V", text="X"
    )
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.justerare_user)
    assert Punkt.objects.get(pk=mote.arendepunkt.pk).omedelbart_justerad is not None


def test_a_signature_leaves_the_next_signers_page_as_it_was(mote):
    """A signature changes nothing of what the others sign: the justerare who read the page
    before the ordförande signed the rättelse signs it, and it applies. A new rättelse
    proposed meanwhile is a change, and the page read before it is stale."""
    mote.till("justerat")
    rattelse = protokoll.foresla_rattelse(
        mote.sammantrade, user=mote.sek, punkt=mote.arendepunkt, text="Rätt datum är 12 nov."
    )
    justerare = _klient(mote.justerare_user)
    sida = _sida(justerare, mote)
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    svar = justerare.post(
        f"/rattelse/{rattelse.pk}/signera/", {"version": _version(sida)}, follow=True
    )
    assert "Rättelsen är signerad och gäller." in svar.content.decode()
    rattelse.refresh_from_db()
    assert rattelse.giltig is not None
    andra = protokoll.foresla_rattelse(
        mote.sammantrade, user=mote.sek, punkt=mote.arendepunkt, text="Rätt plats."
    )
    sida = _sida(justerare, mote)
    protokoll.foresla_rattelse(
        mote.sammantrade, user=mote.sek, punkt=mote.arendepunkt, text="Rätt tid är 13.00."
    )
    svar = justerare.post(
        f"/rattelse/{andra.pk}/signera/", {"version": _version(sida)}, follow=True
    )
    assert INAKTUELL in svar.content.decode()
    assert not andra.signaturer.exists()


def test_a_form_without_the_version_is_refused_as_stale(mote):
    rad = mote.deltagare(mote.annan)
    svar = _klient(mote.sek).post(
        f"/sammantrade/{mote.sammantrade.pk}/narvaro/{rad.pk}/",
        {f"narvaro-{rad.pk}-anteckning": "utan version"},
        follow=True,
    )
    assert INAKTUELL in svar.content.decode()
    rad.refresh_from_db()
    assert rad.anteckning == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sekreterare_at_the_same_moment_on_one_page_version_one_is_taken():
    """Two nämndsekreterare, each with the page as it was, note the same member's närvaro at
    the same moment on PostgreSQL over HTTP: one note is taken, the other is refused as
    stale, and neither overwrites the other unseen."""
    factories.rollernas_rattigheter()
    mote = Mote(factories.Cast())
    andra_sek = factories.user("sekreterare-2", organ_role=r.NAMNDSEKRETERARE, on=mote.cast.organ)
    klienter = [_klient(mote.sek), _klient(andra_sek)]
    rad = mote.deltagare(mote.annan)
    url = f"/sammantrade/{mote.sammantrade.pk}/narvaro/{rad.pk}/"
    data = []
    for klient, anteckning in zip(klienter, ["lämnade kl. 15", "lämnade kl. 16"], strict=True):
        sida = _sida(klient, mote)
        nyckel = re.search(r'name="inskick" value="(\w+)"', sida).group(1)
        data.append(
            {
                f"narvaro-{rad.pk}-narvarande": "on",
                f"narvaro-{rad.pk}-anteckning": anteckning,
                "version": _version(sida),
                "inskick": nyckel,
            }
        )
    svar = samtidigt(klienter, url, data)
    assert [s.status_code for s in svar] == [302, 302]
    rad.refresh_from_db()
    assert rad.anteckning in ("lämnade kl. 15", "lämnade kl. 16")
    assert rad.history.filter(anteckning__startswith="lämnade").count() == 1
    vagrad = [
        k
        for k, d in zip(klienter, data, strict=True)
        if d[f"narvaro-{rad.pk}-anteckning"] != rad.anteckning
    ]
    assert INAKTUELL in _sida(vagrad[0], mote)


def _paragrafen_borjar_justeras(mote):
    """§ 1 decided, and signed at once by the ordförande; the justerare has not signed yet."""
    mote.kalla()
    mote.besluta()
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.ordforande_user)


def _narvaron(mote) -> list:
    return list(
        mote.sammantrade.deltagare.order_by("pk").values_list(
            "person", "narvarande", "justerare", "anslot_fran", "franvarande_pa"
        )
    )


@pytest.mark.parametrize(
    "andring",
    ["justeraren_franvarande", "ledamot_franvarande_pa_punkten", "ny_ledamot", "ny_justerare"],
)
def test_the_narvaro_a_paragraph_is_being_justerad_with_stands(mote, andring):
    """The ordförande has signed § 1 at once (KL 5 kap. 69 §); before the justerare signs,
    the sekreterare changes the närvaro so that it changes who took part in the beslut, or who
    must sign it. The signature already given was to the paragraph with the närvaro it had:
    the change is refused and nothing is written."""
    _paragrafen_borjar_justeras(mote)
    fore, version = _narvaron(mote), _version_nu(mote)
    ny = Mote.person("Ny Ledamot")
    with pytest.raises(ValidationError, match="Närvaron kan inte ändras"):
        if andring == "justeraren_franvarande":
            protokoll.andra_narvaro(mote.deltagare(mote.justerare), user=mote.sek, narvarande=False)
        elif andring == "ledamot_franvarande_pa_punkten":
            protokoll.andra_narvaro(
                mote.deltagare(mote.ledamot), user=mote.sek, franvarande_pa=[mote.arendepunkt]
            )
        elif andring == "ny_ledamot":
            protokoll.lagg_till_deltagare(mote.sammantrade, ny, roll="ledamot", user=mote.sek)
        else:  # joined after § 1, so took no part in it, but would have to sign it
            protokoll.lagg_till_deltagare(
                mote.sammantrade,
                ny,
                roll="ledamot",
                user=mote.sek,
                justerare=True,
                anslot_fran=mote.info,
            )
    assert (_narvaron(mote), _version_nu(mote)) == (fore, version)
    # the justerare completes the paragraph as the ordförande signed it
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.justerare_user)
    assert Punkt.objects.get(pk=mote.arendepunkt.pk).omedelbart_justerad is not None


def test_the_narvaro_of_other_items_is_kept_while_a_paragraph_is_justerad(mote):
    """What does not touch the paragraph goes on: a note, an absence from another item; and
    once the paragraph is justerad, a justerare who joined after it, who signs only the rest
    of the protokoll. Who took part in the justerad paragraph stays as it was signed."""
    _paragrafen_borjar_justeras(mote)
    protokoll.andra_narvaro(mote.deltagare(mote.tjansteperson), user=mote.sek, anteckning="Teams")
    protokoll.andra_narvaro(mote.deltagare(mote.ledamot), user=mote.sek, franvarande_pa=[mote.info])
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.justerare_user)
    ny = Mote.person("Ny Justerare")
    protokoll.lagg_till_deltagare(
        mote.sammantrade, ny, roll="ledamot", user=mote.sek, justerare=True, anslot_fran=mote.info
    )
    assert ny in protokoll.saknar_justering(mote.sammantrade)
    with pytest.raises(ValidationError, match="deltog i beslutet under punkt 1"):
        protokoll.andra_narvaro(mote.deltagare(mote.justerare), user=mote.sek, narvarande=False)


def test_every_step_that_changes_the_status_makes_an_older_page_stale(mote):
    """Whoever takes the step (the page's button, a command, the last signature), a page read
    before it is stale: it shows the forms of the status it was in. A signature that leaves
    the status as it was does not; the last signature of a rättelse, which files the
    protokoll anew, does."""
    versioner = [_version_nu(mote)]

    def efter(steg) -> None:
        steg()
        versioner.append(_version_nu(mote))

    tidpunkt = mote.sammantrade.borjar + datetime.timedelta(days=7)
    efter(mote.kalla)
    efter(mote.besluta)
    efter(mote.uppratta)
    efter(lambda: mote.justera(mote.ordforande_user, tidpunkt))
    efter(lambda: mote.justera(mote.justerare_user, tidpunkt))
    rattelse = protokoll.foresla_rattelse(
        mote.sammantrade, user=mote.sek, punkt=mote.arendepunkt, text="Rätt plats."
    )
    versioner.append(_version_nu(mote))
    efter(lambda: protokoll.signera_rattelse(rattelse, user=mote.ordforande_user))
    efter(lambda: protokoll.signera_rattelse(rattelse, user=mote.justerare_user))
    efter(
        lambda: factories.ansla_den(
            mote.sammantrade, user=mote.sek, dag=timezone.localdate(tidpunkt)
        )
    )
    steg = [b - a for a, b in itertools.pairwise(versioner)]
    # kalla, a beslut, upprätta, a signature, the last signature, a rättelse proposed, a
    # signature of it, its last signature, anslå
    assert steg == [1, 1, 1, 0, 1, 1, 0, 1, 1]


def test_a_refused_sending_can_be_corrected_and_sent_again_with_the_same_key(mote):
    """The sekreterare sends a protokollsanteckning without its text: refused, and she is led
    back to the page. The browser's Back button gives her the form as she filled it, with the
    same key; corrected and sent, it is taken. A refusal does not use up the key, which would
    otherwise answer "already sent" and drop what she believes is in the protokoll."""
    mote.kalla()
    klient = _klient(mote.sek)
    sida = _sida(klient, mote)
    url = f"/punkt/{mote.info.pk}/yttrande/"
    form = re.search(rf'action="{url}".*?</form>', sida, re.S).group(0)
    data = {
        "inskick": re.search(r'name="inskick" value="(\w+)"', form).group(1),
        "version": _version(form),
        "yttrande-typ": Yttrande.Typ.PROTOKOLLSANTECKNING,
        "yttrande-avgivet_av": "V",
        "yttrande-text": "",
    }
    svar = klient.post(url, data, follow=True).content.decode()
    assert "Formuläret var redan skickat" not in svar
    assert not Yttrande.objects.exists()
    svar = klient.post(url, {**data, "yttrande-text": "Underlaget kom sent."}, follow=True)
    assert "Fört till protokollet under punkt 2." in svar.content.decode()
    assert list(Yttrande.objects.values_list("text", flat=True)) == ["Underlaget kom sent."]
    # sent once more (a double click), it is the first one's result, not a second note
    svar = klient.post(url, {**data, "yttrande-text": "Underlaget kom sent."}, follow=True)
    assert "Formuläret var redan skickat" in svar.content.decode()
    assert Yttrande.objects.count() == 1
