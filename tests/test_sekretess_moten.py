"""The hunt for secret words through the meeting, delegation and document world (issue
"Sekretess that holds", continued from tests/test_sekretess_jakt.py): a secret item on a
sammanträde (its ärendemening, förslag till beslut, yrkande, beslut and reservation), a secret
bilaga on an open item, and a delegationsbeslut in a secret ärende, each with a word of its
own. Every page, document, filed file, API answer and e-mail is then read as the public, the
politicians in their different seats, delegater, a handläggare of another ärende, the
registrator, the revisor and the superuser. A word is found only by who needs to know (OSL
5 kap. 5 §; KL 5 kap. 47 §, 6 kap. 28 §: the member who serves in the item decides it and
reads it; a jävig one or one who does not serve does not)."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from arenden.delegering.services import fatta_delegationsbeslut
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Deltagare, Handling, Person
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sekretess_jakt import _text
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 11, 12)
LAGRUM = "OSL 26 kap. 1 §"
#: in the secret item: ärendemening, förslag till beslut, yrkande, beslut, reservation
PUNKT = "Zebrafinkssyndrom"
#: in the title of the secret bilaga of the open item
BILAGA = "Glasbenssjukan"
#: in the secret ärende decided on delegation: ärendemening and the delegationsbeslut
DELEG = "Skrattmåsfeber"
ORDEN = (PUNKT, BILAGA, DELEG)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _politiker(cast, namn, parti, uppdrag):
    user = factories.user(namn.lower().replace(" ", "-"))
    person = factories.person(namn, anvandare=user, typ=Person.Typ.FORTROENDEVALD, parti=parti)
    protokoll.lagg_till_uppdrag(
        cast.organ, person, user=cast.sekreterare, uppdrag=uppdrag, fran=datetime.date(2023, 1, 1)
    )
    return user, person


def _berett(cast, rubrik, **extra):
    arende = cast.registrera(rubrik, **extra)
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende


def _bygg():
    cast = factories.Cast()
    sek = cast.sekreterare
    for user in (cast.handlaggare, cast.stabschef, cast.registrator, cast.sekreterare):
        user.email = f"{user.username}@example.se"
        user.save()
    v = {"cast": cast}

    # -- the delegation: a delegat of HSN decides a secret ärende; one of RS; one whose row ended
    delegat = factories.user("delegat-hsn")
    rad = factories.delegationspunkt(
        organ=cast.organ, delegat=factories.person("Dora Delegat", anvandare=delegat)
    )
    annan_namnd = factories.organ("RS", "Regionstyrelsen", typ="styrelse")
    v["delegat_annan_namnd"] = factories.user("delegat-rs")
    factories.delegationspunkt(
        organ=annan_namnd,
        delegat=factories.person("Rolf Delegat", anvandare=v["delegat_annan_namnd"]),
    )
    v["delegat_som_slutat"] = factories.user("delegat-slutat")
    factories.delegationspunkt(
        organ=cast.organ,
        nummer="3.3",
        delegat=factories.person("Siv Slutat", anvandare=v["delegat_som_slutat"]),
        giltig_till=datetime.date(2026, 1, 31),
        upphavd_genom="HSN 2026-01-20 § 3",
    )
    delegerat = _berett(
        cast,
        f"Ersättning till patient med {DELEG}",
        sekretess_lagrum=LAGRUM,
        offentlig_rubrik="Ersättningsärende",
    )
    factories.forslag_till_beslut(delegerat, cast.handlaggare, forslag=f"Att ersätta {DELEG}.")
    do_transition(delegerat, "markera_beredd", cast.handlaggare)
    fatta_delegationsbeslut(
        delegerat,
        user=delegat,
        punkt=rad,
        datum=DAG,
        text=f"Patienten med {DELEG} ersätts med 5 000 kr.",
    )
    v["delegerat"] = delegerat

    # -- the meeting: a secret item and an open one with a secret bilaga
    hemligt = _berett(
        cast,
        f"Vård av patient med {PUNKT}",
        sekretess_lagrum=LAGRUM,
        offentlig_rubrik="Vårdärende",
    )
    factories.forslag_till_beslut(hemligt, cast.handlaggare, forslag=f"Att vårda {PUNKT}.")
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    oppet = _berett(cast, "Riktlinjer för vårdhygien")
    factories.forslag_till_beslut(oppet, cast.handlaggare)
    do_transition(oppet, "markera_beredd", cast.handlaggare)
    v["hemligt"], v["oppet"] = hemligt, oppet

    folk = {}
    for namn, parti, uppdrag in [
        ("Ordf Örn", "s", "ledamot"),
        ("Just Ek", "m", "ledamot"),
        ("Jävig Al", "c", "ledamot"),
        ("Frånvarande Björk", "v", "ledamot"),
        ("Ersättare Tjänstgör", "c", "ersattare"),
        ("Ersättare Lyssnar", "v", "ersattare"),
    ]:
        folk[namn] = _politiker(cast, namn, parti, uppdrag)
    mote = protokoll.planera(organ=cast.organ, datum=DAG, plats="Sessionssalen", user=sek)
    deltagare = {}
    for namn, (_user, person) in folk.items():
        roll = {
            "Ordf Örn": Deltagare.Roll.ORDFORANDE,
            "Ersättare Tjänstgör": Deltagare.Roll.ERSATTARE,
            "Ersättare Lyssnar": Deltagare.Roll.ERSATTARE,
        }.get(namn, Deltagare.Roll.LEDAMOT)
        deltagare[namn] = protokoll.lagg_till_deltagare(
            mote, person, roll=roll, user=sek, justerare=namn == "Just Ek"
        )
    hemlig_punkt = protokoll.lagg_till_punkt(mote, user=sek, arende=hemligt)
    oppen_punkt = protokoll.lagg_till_punkt(mote, user=sek, arende=oppet)
    v["bilaga"] = factories.hemlig_bilaga(
        oppen_punkt, cast.registrator, titel=f"Avvikelse om {BILAGA}"
    )
    protokoll.kalla(mote, user=sek)
    protokoll.anmal_jav(hemlig_punkt, folk["Jävig Al"][1], user=sek, grund="Släkt")
    protokoll.andra_narvaro(deltagare["Frånvarande Björk"], user=sek, franvarande_pa=[hemlig_punkt])
    protokoll.tjanstgor_for(
        hemlig_punkt, deltagare["Ersättare Tjänstgör"], deltagare["Jävig Al"], user=sek
    )
    protokoll.lagg_till_yrkande(
        hemlig_punkt, folk["Ordf Örn"][1], user=sek, text=f"Bifall, med hänsyn till {PUNKT}."
    )
    protokoll.besluta(
        hemlig_punkt, user=sek, utfall="bifall", beslut=f"Patienten med {PUNKT} vårdas."
    )
    protokoll.reservera(
        hemlig_punkt, folk["Just Ek"][1], user=sek, motivering=f"Fel vård för {PUNKT}."
    )
    protokoll.besluta(oppen_punkt, user=sek, utfall="bifall", beslut="Riktlinjerna antas.")
    protokoll.uppratta(mote, user=sek)
    for namn in ("Ordf Örn", "Just Ek"):
        protokoll.justera(mote, user=folk[namn][0])
    protokoll.ansla(mote, user=sek, skal="Anslås sent i testet.")
    # a rättelse of the secret paragraph (FL 36 §), signed: the protokoll's next version
    rattelse = protokoll.foresla_rattelse(
        mote, user=sek, punkt=hemlig_punkt, text=f"Beslutet gäller patienten med {PUNKT}."
    )
    for namn in ("Ordf Örn", "Just Ek"):
        protokoll.signera_rattelse(rattelse, user=folk[namn][0])
    v.update(
        mote=mote,
        hemlig_punkt=hemlig_punkt,
        oppen_punkt=oppen_punkt,
        ledamot_frånvarande=folk["Frånvarande Björk"][0],
        ledamot_jävig=folk["Jävig Al"][0],
        ersättare_som_lyssnar=folk["Ersättare Lyssnar"][0],
        ersättare_som_tjänstgör=folk["Ersättare Tjänstgör"][0],
    )
    # a handläggare of another ärende of the same nämnd
    v["annan_handlaggare"] = factories.user("handlaggare-annat")
    factories.person("Annan Handläggare", anvandare=v["annan_handlaggare"], titel="handläggare")
    annat = cast.registrera("Ett annat ärende")
    handlaggning_services.tilldela(annat, handlaggare=v["annan_handlaggare"], user=cast.stabschef)
    v["superuser"] = factories.user("admin")
    v["superuser"].is_superuser = v["superuser"].is_staff = True
    v["superuser"].save()
    return v


@pytest.fixture
def varld(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _bygg()


def _sidor(v) -> list[str]:
    mote, punkter = v["mote"], (v["hemlig_punkt"], v["oppen_punkt"])
    arenden = (v["hemligt"], v["oppet"], v["delegerat"])
    sidor = [
        reverse("arenden:start"),
        reverse("arenden:mina_arenden"),
        reverse("arenden:sok") + f"?q={PUNKT}",
        reverse("arenden:sok") + f"?q={BILAGA}",
        reverse("arenden:sok") + f"?q={DELEG}",
        reverse("arenden:sammantraden"),
        reverse("arenden:sammantrade", args=[mote.pk]),
        reverse("arenden:sammantrade_tidslinje", args=[mote.pk]),
        reverse("arenden:sammantrade_tidslinje", args=[mote.pk]) + "?sida=2",
        reverse("arenden:mote_protokollfil", args=[mote.pk, 1]),
        reverse("arenden:mote_protokollfil", args=[mote.pk, 2]),
        reverse("arenden:auditlogg_export", args=["json"]),
        reverse("arenden:mina_sammantraden"),
        reverse("arenden:anslagstavla"),
        reverse("arenden:publicerat_protokoll", args=[mote.pk, "pdf"]),
        reverse("arenden:publicerat_protokoll", args=[mote.pk, "docx"]),
        reverse("arenden:postlista"),
        reverse("arenden:delegationsordning", args=[v["cast"].organ.kod]),
        reverse("arenden:auditlogg"),
        reverse("api:sammantraden"),
        reverse("api:sammantrade", args=[mote.pk]),
        reverse("api:sammantrade_historik", args=[mote.pk]),
        reverse("api:protokoll"),
        reverse("api:arenden"),
    ]
    for slag in ("kallelse", "protokoll"):
        for format in ("pdf", "docx"):
            sidor.append(reverse("arenden:mote_dokument", args=[mote.pk, slag, format]))
            sidor.append(reverse("arenden:ledamot_dokument", args=[mote.pk, slag, format]))
    for punkt in punkter:
        for format in ("pdf", "docx"):
            sidor.append(reverse("arenden:punkt_utdrag", args=[punkt.pk, format]))
        for h in Handling.objects.filter(arende=punkt.arende_id):
            sidor.append(reverse("arenden:ledamot_underlag", args=[punkt.pk, h.pk]))
    for arende in arenden:
        sidor += [
            reverse("arenden:arende", args=[arende.pk]),
            reverse("arenden:tidslinje", args=[arende.pk]),
            reverse("arenden:publikt_arende", args=[arende.pk]),
            reverse("api:arende", args=[arende.pk]),
            reverse("api:handlingar", args=[arende.pk]),
            reverse("api:historik", args=[arende.pk]),
        ]
    for h in Handling.objects.all():
        sidor += [
            reverse("arenden:handling_fil", args=[h.pk]),
            reverse("api:handling", args=[h.pk]),
            reverse("api:handling_fil", args=[h.pk]),
        ]
    return sidor


def _las(client, url) -> str:
    response = client.get(url)
    assert response.status_code < 500, url
    text = _text(response)
    for ord in ORDEN:  # a search page shows the words the reader typed: not a leak
        text = text.replace(f'value="{ord}"', "")
    return text


def _funnet(v, user) -> dict[str, list[str]]:
    """Where ``user`` finds each word: the pages, per word."""
    client = Client()
    if user is not None:
        client.force_login(user)
    lasta = {url: _las(client, url) for url in _sidor(v)}
    return {ord: [url for url, text in lasta.items() if ord in text] for ord in ORDEN}


@pytest.mark.parametrize(
    "vem, far_lasa",
    [
        ("allmänheten", ()),
        # serves in the open item, and so reads its secret bilaga; absent from the secret one
        ("ledamot_frånvarande", (BILAGA,)),
        ("ledamot_jävig", (BILAGA,)),
        ("ersättare_som_lyssnar", ()),
        ("ersättare_som_tjänstgör", (PUNKT,)),
        ("delegat_annan_namnd", ()),
        ("delegat_som_slutat", ()),
        ("annan_handlaggare", ()),
        ("registrator", ()),
        ("superuser", ()),
    ],
)
def test_a_secret_word_of_the_meeting_is_read_only_by_who_needs_to_know(varld, vem, far_lasa):
    user = None if vem == "allmänheten" else varld.get(vem) or getattr(varld["cast"], vem)
    funnet = _funnet(varld, user)
    assert {ord: sidor for ord, sidor in funnet.items() if sidor and ord not in far_lasa} == {}
    assert [ord for ord in far_lasa if not funnet[ord]] == []


def test_the_revisor_reads_every_word(varld):
    funnet = _funnet(varld, varld["cast"].revisor)
    assert all(funnet[ord] for ord in ORDEN)


def test_no_email_carries_a_secret_word(varld):
    assert mail.outbox, "the kallelse and the assignments are e-mailed"
    for brev in mail.outbox:
        text = brev.subject + brev.body
        for _namn, innehall, typ in brev.attachments:
            text += _text(_Svar(innehall, typ))
        for ord in ORDEN:
            assert ord not in text, (brev.subject, ord)


class _Svar(dict):
    """An attachment read as :func:`_text` reads a response."""

    def __init__(self, content, typ):
        super().__init__({"Content-Type": typ})
        self.content = content if isinstance(content, bytes) else content.encode()


def test_the_choice_of_arenden_for_the_agenda_names_a_secret_one_by_its_marking():
    """A secret ärende ready for decision is offered on the meeting page to be put on the
    agenda. The nämndsekreterare may not read its secret content until it is anmält (the
    permission map of the ärende), so the choice names it by its diarienummer and marking,
    never its ärendemening; once chosen, it is anmält and the item is read as before."""
    cast = factories.Cast()
    hemligt = _berett(cast, f"Vård av patient med {PUNKT}", sekretess_lagrum=LAGRUM)
    factories.forslag_till_beslut(hemligt, cast.handlaggare, forslag="Att vårda patienten.")
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    mote = protokoll.planera(organ=cast.organ, datum=DAG, plats="Rum 1", user=cast.sekreterare)
    klient = Client()
    klient.force_login(cast.sekreterare)
    sida = klient.get(reverse("arenden:sammantrade", args=[mote.pk])).content.decode()
    assert f'value="{hemligt.pk}"' in sida  # offered
    assert PUNKT not in sida
    assert f"{hemligt.diarienummer} {hemligt.maskerad_rubrik}" in sida


def test_who_reads_the_secret_item_on_a_meeting_page_is_in_the_revisors_list(varld):
    """The meeting page and the ledamot's meeting list show the secret item's words to who
    needs to know; each such read is logged for the revisor as a read of the ärende's secret
    content (as the ärende page's are). Who gets the item masked has read nothing."""
    from arenden.diarium.models import Sekretessatkomst

    hemligt, cast = varld["hemligt"], varld["cast"]
    motessidan = reverse("arenden:sammantrade", args=[varld["mote"].pk])
    mina = reverse("arenden:mina_sammantraden")
    for user, url, last in [
        (cast.revisor, motessidan, True),
        (cast.registrator, motessidan, False),
        (varld["ersättare_som_tjänstgör"], mina, True),
        (varld["ersättare_som_lyssnar"], mina, False),
    ]:
        # the log is never emptied (on PostgreSQL the database refuses): read what comes
        fore = Sekretessatkomst.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        client = Client()
        client.force_login(user)
        text = _las(client, url)
        assert (PUNKT in text) is last, (user, url)
        nya = Sekretessatkomst.objects.filter(pk__gt=fore)
        assert list(nya.values_list("anvandare", "arende", "vad")) == (
            [(user.pk, hemligt.pk, "sammantrade")] if last else []
        ), (user, url)


def test_the_meetings_timeline_shows_an_item_it_masks_by_its_marking(varld):
    """The registrator reads the meeting's timeline: the secret item's jäv, reservation and
    rättelse are there, with who and when, their words replaced by the item's marking."""
    klient = Client()
    klient.force_login(varld["cast"].registrator)
    url = reverse("arenden:sammantrade_tidslinje", args=[varld["mote"].pk])
    sida = "".join(klient.get(url, {"sida": n}).content.decode() for n in (1, 2, 3))
    assert PUNKT not in sida
    assert "reservation" in sida and f"Sekretess ({LAGRUM})" in sida
    assert "Släkt" not in sida  # the grund of a jäv on the secret item
    assert protokoll.maskerad_rattelse() in sida
    # nor who was jävig, served, moved, voted or reserved there, nor the numbers: all of a
    # row under the item is its marking but where it belongs
    from arenden.granskning import services as granskning
    from arenden.models import Jav, Reservation, Tjanstgoring, Yrkande

    mote = varld["mote"]
    registrator = varld["cast"].registrator
    dolda, _lasta = granskning.motets_hemliga_punkter(mote, registrator)
    handelser = granskning.motets_tidslinje(mote, 0, 1000, user=registrator, dolda=dolda)
    under = {str(m._meta.verbose_name) for m in (Jav, Reservation, Tjanstgoring, Yrkande)}
    hemligt = f"Sekretess ({LAGRUM})"
    rader = [h for h in handelser if h.objekt.rsplit(" ", 1)[0] in under]
    assert {h.objekt.rsplit(" ", 1)[0] for h in rader} == under
    for h in rader:
        if h.objekt.rsplit(" ", 1)[0] != str(Reservation._meta.verbose_name) or h.andringar:
            visat = {a.falt: a.till for a in h.andringar if a.falt not in ("punkt", "ordning")}
            assert visat and set(visat.values()) == {hemligt}, (h.objekt, visat)


def test_a_read_of_a_secret_item_on_the_meetings_timeline_is_logged_struck_or_not():
    """The revisor reads the meeting's timeline, where a secret item struck from the list
    before the kallelse still has its history: each secret item shown unmasked is a read of
    its ärende's secret content (OSL), logged as read there. The registrator, who reads them
    masked, is logged for none."""
    from arenden.diarium.models import Sekretessatkomst

    cast = factories.Cast()
    struket = _berett(cast, f"Vård av patient med {PUNKT}", sekretess_lagrum=LAGRUM)
    kvar = _berett(cast, "Vård av en annan patient", sekretess_lagrum=LAGRUM)
    for arende in (struket, kvar):
        factories.forslag_till_beslut(arende, cast.handlaggare)
        do_transition(arende, "markera_beredd", cast.handlaggare)
    punkt = factories.anmal(struket, cast.sekreterare)
    factories.anmal(kvar, cast.sekreterare, punkt.sammantrade)
    protokoll.stryk_punkt(punkt, user=cast.sekreterare, motivering="Utgår.")
    url = reverse("arenden:sammantrade_tidslinje", args=[punkt.sammantrade.pk])
    for user in (cast.registrator, cast.revisor):
        klient = Client()
        klient.force_login(user)
        sida = klient.get(url).content.decode()
        assert (PUNKT in sida) == (user == cast.revisor)
    lasta = Sekretessatkomst.objects.filter(vad=Sekretessatkomst.Vad.MOTETS_TIDSLINJE)
    assert sorted(lasta.values_list("anvandare__username", "arende_id")) == sorted(
        [(cast.revisor.username, struket.pk), (cast.revisor.username, kvar.pk)]
    )


def test_the_whole_protokolls_checksum_is_shown_only_to_who_reads_every_item(varld):
    """A checksum confirms a copy one holds (OSL 5 kap. 5 §): the meeting page and its
    timeline give a reader for whom an item is masked the masked file's, as the download
    gives them that file, never the whole one's."""
    from arenden.models import Protokollfil

    mote = varld["mote"]
    filer = Protokollfil.objects.filter(sammantrade=mote)
    hela = {f.sha256 for f in filer if not f.publik}
    maskerade = {f.sha256 for f in filer if f.publik}
    assert len(hela) == 2 and len(maskerade) == 2  # justerat, and after the rättelse
    sidor = [
        reverse("arenden:sammantrade", args=[mote.pk]),
        *(
            reverse("arenden:sammantrade_tidslinje", args=[mote.pk]) + f"?sida={n}"
            for n in (1, 2, 3)
        ),
    ]
    for vem, ser, ser_inte in [
        (varld["cast"].registrator, maskerade, hela),
        (varld["cast"].revisor, hela, set()),
    ]:
        klient = Client()
        klient.force_login(vem)
        text = "".join(klient.get(url).content.decode() for url in sidor)
        assert [s for s in ser if s not in text] == [], vem
        assert [s for s in ser_inte if s in text] == [], vem


def test_who_reads_every_item_but_not_a_secret_bilaga_gets_the_masked_files_checksum(varld):
    """Found in review: the page and the timeline asked only whether an item was masked, the
    download whether anything of the protokoll is (a secret bilaga of an open item too)."""
    from arenden.models import Protokollfil
    from arenden.organisation.roles import JUSTERARE
    from workflow import roles as workflow_roles

    mote = varld["mote"]
    vem = varld["ersättare_som_tjänstgör"]  # serves in the secret item, not in the open one
    workflow_roles.grant(mote, JUSTERARE, user=vem)  # and may read the meeting's pages
    deltagare, punkter = list(mote.deltagare.all()), list(mote.punkter.all())
    assert all(protokoll.far_lasa(vem, p, deltagare) for p in punkter)
    assert protokoll.maskeras_for(vem, punkter, deltagare)
    filer = Protokollfil.objects.filter(sammantrade=mote)
    hela = {f.sha256 for f in filer if not f.publik}
    maskerade = {f.sha256 for f in filer if f.publik}
    klient = Client()
    klient.force_login(vem)
    text = "".join(
        klient.get(url).content.decode()
        for url in [
            reverse("arenden:sammantrade", args=[mote.pk]),
            *(
                reverse("arenden:sammantrade_tidslinje", args=[mote.pk]) + f"?sida={n}"
                for n in (1, 2, 3)
            ),
        ]
    )
    assert [s for s in hela if s in text] == []
    assert [s for s in maskerade if s not in text] == []


def test_moving_or_striking_a_secret_item_names_it_by_its_marking_in_the_message():
    """The message after a step is shown as it is, unlogged: a secret item is named by its
    marking, never its rubrik (OSL 5 kap. 5 §)."""
    cast = factories.Cast()
    hemligt = _berett(cast, f"Vård av patient med {PUNKT}", sekretess_lagrum=LAGRUM)
    oppet = _berett(cast, "Ny vårdcentral")
    for arende in (hemligt, oppet):
        factories.forslag_till_beslut(arende, cast.handlaggare)
        do_transition(arende, "markera_beredd", cast.handlaggare)
    punkt = factories.anmal(hemligt, cast.sekreterare)
    factories.anmal(oppet, cast.sekreterare, punkt.sammantrade)
    klient = Client()
    klient.force_login(cast.sekreterare)

    def meddelanden(url, data=None) -> list[str]:
        svar = klient.post(url, factories.fran_motessidan(punkt.sammantrade, data), follow=True)
        return [str(m) for m in svar.context["messages"]]

    flyttad = meddelanden(reverse("arenden:punkt_flytta", args=[punkt.pk, "ned"]))
    assert flyttad == [f"Punkten (sekretess, {LAGRUM}) är flyttad nedåt."]
    struken = meddelanden(reverse("arenden:punkt_stryk", args=[punkt.pk]), {"motivering": "Utgår."})
    assert struken == [f"Punkten (sekretess, {LAGRUM}) är struken från föredragningslistan."]


def test_a_secret_item_and_its_votering_are_named_by_their_marking_wherever_named():
    """An item is named without asking who reads (a votering's name, a message, a choice)
    as its ärende is (``Arende.__str__``): a secret one by its marking, never its heading
    (OSL 5 kap. 5 §); an open one by its heading."""
    from arenden.models import Votering

    cast = factories.Cast()
    hemligt = _berett(cast, f"Vård av patient med {PUNKT}", sekretess_lagrum=LAGRUM)
    oppet = _berett(cast, "Ny vårdcentral")
    for arende in (hemligt, oppet):
        factories.forslag_till_beslut(arende, cast.handlaggare)
        do_transition(arende, "markera_beredd", cast.handlaggare)
    punkt = factories.anmal(hemligt, cast.sekreterare)
    oppen = factories.anmal(oppet, cast.sekreterare, punkt.sammantrade)
    assert str(punkt) == f"{punkt.beteckning}. Sekretess enligt {LAGRUM}"
    assert str(Votering(punkt=punkt, ja=7, nej=4)) == (
        f"{punkt.beteckning}. Sekretess enligt {LAGRUM}: 7–4"
    )
    assert str(oppen) == f"{oppen.beteckning}. {oppen.rubrik}" and "vårdcentral" in str(oppen)
