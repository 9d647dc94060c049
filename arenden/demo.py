"""The seed cases (``../shared/seeds``) as data, replayed through the services and the engine
by the people who did each step. ``load_demo`` builds the demo from them, and the tests replay
them to prove the whole life of an ärende.

Where a seed gives only a month (the HSN beslut "i november 2025") or no date at all (the RS
meeting of § 130), the day used here is marked as assumed."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.db import transaction

from arenden.begaran.models import Begaran
from arenden.diarium import services as diarium_services
from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.models import Arende, Handling
from arenden.handlaggning import services as handlaggning_services
from arenden.motion import services as motion_services
from arenden.organisation import roles
from arenden.organisation.models import Enhet, Organ, Person
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import Deltagare, Punkt, Yttrande
from flows.namn import ArendeSteg
from workflow import roles as workflow_roles
from workflow.engine import do_transition

DEMO_PASSWORD = "demo-2025"

#: kod, namn, typ, diarieprefix, rapporterar till
ORGAN = [
    ("RF", "Regionfullmäktige", Organ.Typ.FULLMAKTIGE, "RF", None),
    ("RS", "Regionstyrelsen", Organ.Typ.STYRELSE, "RS", "RF"),
    ("HSN", "Hälso- och sjukvårdsnämnden", Organ.Typ.NAMND, "HSN", "RS"),
    ("BVA", "Beredning vuxna och äldre", Organ.Typ.BEREDNING, "HSN", "HSN"),
    # the samverkansorgan keeps its records in the nämnd's series (HSN 418-2-2021)
    ("SVO", "Samråd vård och omsorg", Organ.Typ.SAMVERKANSORGAN, "HSN", "HSN"),
]

#: namn, kortnamn, överordnad (kortnamn)
ENHETER = [
    ("Hälso- och sjukvårdsförvaltningen", "HSF", None),
    ("HSF övergripande verksamhet", "HSF övergripande verksamhet", "HSF"),
    ("Hälso- och sjukvårdsdirektörens stab", "HSD", "HSF"),
]

#: username, first name, last name, role, organ kod where it is given (None: global), person
DEMO_USERS = [
    ("stabschef", "Yvonne", "Nygren", roles.STABSCHEF, ("HSN", "RS", "RF")),
    ("handlaggare", "Henrik", "Ångström", roles.HANDLAGGARE, ()),
    ("sekreterare", "Maria", "Lindqvist", roles.NAMNDSEKRETERARE, ("HSN", "RS", "RF", "SVO")),
    ("registrator", "Lars", "Berg", roles.REGISTRATOR, None),
    ("revisor", "Karin", "Holm", roles.REVISOR, None),
]

#: namn, titel, enhet (kortnamn), användarkonto
TJANSTEPERSONER = [
    ("Yvonne E Nygren", "stabschef", "HSF övergripande verksamhet", "stabschef"),
    ("Henrik Ångström", "utvecklingsledare", "HSF övergripande verksamhet", "handlaggare"),
    ("Pia Näsvall", "hälso- och sjukvårdsdirektör", "HSD", None),
]


@dataclass
class Folk:
    """The demo's users and the people behind them."""

    stabschef: User
    handlaggare: User
    sekreterare: User
    registrator: User
    revisor: User
    personer: dict[str, Person]
    enheter: dict[str, Enhet]
    organ: dict[str, Organ]


def bygg_organisation() -> Folk:
    """Organs, units, roles, users and people; running it again changes nothing."""
    for role in roles.ALL:
        Group.objects.get_or_create(name=role)
    for role, ratter in roles.RATTIGHETER.items():
        for app_label, codename in ratter:
            Group.objects.get(name=role).permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    app_label, codename = roles.BEVAKA_MOTIONER
    bevaka = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    for role in roles.MOTIONSBEVAKARE:
        Group.objects.get(name=role).permissions.add(bevaka)
    organ: dict[str, Organ] = {}
    for kod, namn, typ, prefix, over in ORGAN:
        organ[kod], _ = Organ.objects.get_or_create(
            kod=kod,
            defaults={
                "namn": namn,
                "typ": typ,
                "diarieprefix": prefix,
                "rapporterar_till": organ.get(over),
            },
        )
    enheter: dict[str, Enhet] = {}
    for namn, kortnamn, over in ENHETER:
        enheter[kortnamn], _ = Enhet.objects.get_or_create(
            kortnamn=kortnamn, defaults={"namn": namn, "overordnad": enheter.get(over)}
        )
    users = {}
    for username, first, last, role, places in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.se"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if places is None:
            user.groups.add(Group.objects.get(name=role))
        for kod in places or ():
            # stabschef and nämndsekreterare act for their organs; inherited by the ärenden.
            # A handläggare gets the role per ärende, when the stabschef assigns it.
            workflow_roles.grant(organ[kod], role, user=user)
        users[username] = user
    personer = {}
    for namn, titel, enhet, username in TJANSTEPERSONER:
        personer[namn], _ = Person.objects.get_or_create(
            namn=namn,
            defaults={
                "typ": Person.Typ.TJANSTEPERSON,
                "titel": titel,
                "enhet": enheter[enhet],
                "anvandare": users.get(username),
            },
        )
    return Folk(**users, personer=personer, enheter=enheter, organ=organ)


def _finns(diarienummer: str) -> Arende | None:
    nummer = Diarienummer.parse(diarienummer)
    return Arende.objects.filter(
        serie=nummer.serie, ar=nummer.ar, lopnummer=nummer.nummer, delnummer=nummer.delnummer or 0
    ).first()


# -- seed 001 and 002: HSN 787-2025 -----------------------------------------------------------

HSN_787_RUBRIK = "Handslag med Cancerfonden för en bättre palliativ vård"

HSN_787_TJANSTESKRIVELSE = {
    "sammanfattning": (
        "Palliativ vård är en central del av vår välfärd och ett uttryck för vår gemensamma "
        "omsorg om människor. Trots tydliga riktlinjer finns fortfarande skillnader i kvalitet "
        "och tillgång till palliativ vård. För att skapa en mer jämlik och kvalitativ vård, har "
        'Cancerfonden lanserat initiativet "Ett handslag för en bättre palliativ vård".\n'
        "Genom att region Västerbotten ställer sig bakom detta initiativ visar vi att regionen "
        "tar ansvar för några av våra mest sårbara invånare och att regionen vill vara en "
        "förebild i arbetet för en mer jämlik och human vård i livets slutskede.\n"
        "För hälso- och sjukvårdsnämnden innebär detta att säkerställa att palliativ vård ges "
        "utifrån behov, arbeta fokuserat och långsiktigt för att stärka den palliativa vården i "
        "regionen samt att tydliggöra ansvarsfördelningen och stärka samarbetet med kommunerna.\n"
        "HSD har upprättat ett underlag som beskriver nuläge och utvecklingsförslag."
    ),
    "forslag_till_beslut": (
        "Hälso- och sjukvårdsnämnden bifaller initiativärendet och ställer sig bakom "
        "Cancerfondens initiativ ”Ett handslag för en bättre palliativ vård”."
    ),
    "bedomda_resultat": (
        "Genom att regionen ställer sig bakom Cancerfondens initiativ tar vi ansvar för några av "
        "våra mest sårbara invånare och att vi vill vara en förebild i arbetet för en bättre "
        "palliativ vård."
    ),
    "resurser_finansiering": (
        "Det finns i dagsläget ingen detaljerad kostnadsberäkning gjord för de åtgärder som "
        "föreslås i bifogat underlag. Kompetenshöjande åtgärder bör kunna ske inom involverade "
        "enheters uppdrag. Gällande åtgärder för en ökad personcentrerad vård utifrån patientens "
        "behov likväl som specialistkonsultationer till de palliativa teamen bör dessa "
        "arbetssätt kunna utvecklas och inrymmas inom omställningen mot God och Nära Vård. "
        "Generellt bedöms alltså inte några påtagliga kostnadsökningar uppkomma för föreslagna "
        "åtgärder."
    ),
    "jamstalldhet": (
        "En förbättrad palliativ vård bedöms gagna båda könen och bedöms i övrigt inte påverka "
        "regionens jämställdhetsmål."
    ),
}

#: Seed 002: the report on each of the four points of the handslag, word for word (the seed is
#: a text extraction without å, ä and ö; they are put back here, nothing else is changed).
HSN_787_ATERRAPPORT_TITEL = (
    "Återrapportering av initiativärendet Handslag med Cancerfonden för förbättrad palliativ "
    "vård, HSN 260617"
)
HSN_787_ATERRAPPORT_INLEDNING = [
    "I november 2025 skrev Hälso- och sjukvårdsnämnden i Västerbotten under Handslaget med "
    "Cancerfonden i syfte att förbättra den palliativa vården. Handslagets intention ligger väl "
    "i linje med den kartläggning av palliativ vård i Västerbotten som tidigare genomförts av "
    "Lokal arbetsgrupp (LAG) palliativ vård Västerbotten.",
    "Gapanalys utförd av LAG palliativ vård visade att:",
    "- Palliativ vård i Västerbotten är ojämlik avseende diagnos, ålder, vårdform och bostadsort",
    "- Identifiering av palliativa vårdbehov görs ostrukturerat, och ofta för sent",
    "- En övergripande struktur och organisation för utveckling av palliativ vård i "
    "Västerbotten saknas",
    "- Det föreligger stora kunskapsluckor om palliativ vård bland en stor del av personalen "
    "inom region och kommuner",
    "- Kommunikation och samordning mellan slutenvård, primärvård, hemsjukvård och boenden är "
    "bristfällig och fragmenterad",
    "Åtgärdsförslag för förbättrad palliativ vård sammanställt av LAG palliativ vård:",
    "- En satsning på utbildning är centralt, omfattar utbildning/fortbildning av all "
    "vårdpersonal oavsett huvudman",
    "- Förbättrad samordning och tydliggörande av ansvarsfördelning mellan region och kommuner",
    "- Ett fokuserat och långsiktigt arbete för att stärka den palliativa vården i enlighet med "
    "Handslaget mellan regionen och Cancerfonden",
    "- Vidareutveckla de palliativa konsulteamens arbete med konsultation och "
    "utbildningsinsatser oavsett huvudman",
    "- Utveckla den palliativa vården av barn och unga mot en mer personcentrerad vård och "
    "behandling",
    "Pågående insatser avseende Handslaget med Cancerfonden för förbättrad palliativ vård",
]
#: (punkt, rubrik, text) for each of the four points
HSN_787_ATERRAPPORT_PUNKTER = [
    (
        "Punkt 1 i Handslaget",
        "Säkerställa att palliativ vård ges utifrån behov",
        "- Pågående implementering av Personcentrerat och sammanhållet vårdförlopp palliativ "
        "vård där HSD, VO-chefer, verksamhets- och avdelningschefer samt kommunala "
        "företrädare erhållit info och erbjudits implementeringsstöd av LAG palliativ vård. Har "
        "hittills lett till pågående implementering på bl.a. Cancercentrum och Medicinsk och "
        "geriatrisk klinik i Skellefteå.\n"
        "Ett flertal direkta utbildningsinsatser avseende bl.a. identifiering av palliativa "
        "vårdbehov, symtomlindring och samtalsmetodik, se pkt 4.",
    ),
    (
        "Punkt 2 i Handslaget",
        "Arbeta fokuserat och långsiktigt för att stärka den palliativa vården i regionen",
        "Pågående arbete i LAG palliativ vård, som har en bred representation från både "
        "allmän och specialiserad palliativ vård samt både regionen och kommunerna. Arbetet "
        "omfattar implementering av kunskapsstöd, undervisning, sammanställande av underlag "
        "till beslutsfattare och samarbete sjukvårdsregionalt i Regional arbetsgrupp "
        "palliativ vård.\n"
        "Beredning vuxna och äldre diskuterar under våren LAGens åtgärdsförslag för "
        "förbättrad palliativ vård, bl.a. utbildningsinsatser, tillsättande av länssamordnare "
        "för palliativ vård.\n"
        "De palliativa konsultteamen, i Umeå, Skellefteå och Lycksele, arbetar fortlöpande "
        "med konsultation och utbildningsinsatser riktade till både region och kommuner. "
        "Förslag för inrättande av specialiserade palliativa vårdplatser i Skellefteå tas fram "
        "i samarbete mellan Medicinsk och geriatrisk klinik Skellefteå och Palliativ medicin. "
        "Detta i syfte att öka tillgänglighet och kvalitet i specialiserad palliativ "
        "slutenvård i norra länsdelen.",
    ),
    (
        "Punkt 3 i Handslaget",
        "Tydliggöra ansvarsfördelningen och stärka samarbetet med kommunerna",
        "Se punkt 2 angående pågående arbete i LAG palliativ vård och pågående diskussion i "
        "Beredning vuxna och äldre\n"
        "Genom samarbete mellan regionalt, kommunalt och privat anställda erbjuds "
        "återkommande utbildningsinsatser avseende palliativ vård i kommunal äldreomsorg\n"
        "På lokal nivå förekommer ett flertal samarbeten gällande undervisning och "
        "ansvarsfördelning vilket oftast bygger på enskilda medarbetares initiativ.",
    ),
    (
        "Punkt 4 i Handslaget",
        "Öka kunskapen om palliativ vård bland medarbetare och invånare",
        "De palliativa konsultteamen, LAG palliativ vård och de sjukvårdsregionala, palliativa "
        "processledarna erbjuder fortlöpande utbildningsinsatser riktade till anställda i både "
        "region och kommuner, t.ex. identifiering av palliativa vårdbehov, symtomlindring, "
        "samtalsmetodik, palliativ vård i kommunal äldreomsorg.\n"
        "De palliativa konsultteamen, LAG palliativ vård och de sjukvårdsregionala, palliativa "
        "processledarna erbjuder fortlöpande utbildningsinsatser riktade till "
        "grundutbildningarna för läkare och sjuksköterskor, t.ex. identifiering av palliativa "
        "vårdbehov, symtomlindring, samtalsmetodik.\n"
        "Informationsträffar om palliativ vård riktade till allmänheten har genomförts vid "
        "några tillfällen, såväl fysiska som digitala möten.",
    ),
]

HSN_787_REGISTRERAT = datetime.date(2025, 10, 16)
HSN_787_BESLUTAT = datetime.date(2025, 11, 12)  # assumed day: seed 002 says "november 2025"
HSN_787_FORFALLER = datetime.date(2026, 6, 17)
#: the seeds name no ordförande or justerare of HSN's meeting: invented, like the day
HSN_787_UNDERTECKNARE = [
    ("hsn-ordforande", "Agneta Exempeldotter", Deltagare.Roll.ORDFORANDE, False),
    ("hsn-justerare", "Bengt Provsson", Deltagare.Roll.LEDAMOT, True),
]
HSN_787_JUSTERAT = datetime.datetime(2025, 11, 17, 9, 0, tzinfo=datetime.UTC)  # assumed day


#: the seeds give no day of the kallelser: assumed a week before each meeting (KL 5 kap. 12 §,
#: 6 kap. 17 §), so that each meeting reads called, held and justerat in that order
KALLAD_DAGAR_FORE = 7


def kallelsens_tidpunkt(datum: datetime.date) -> datetime.datetime:
    """When the kallelse to the meeting of ``datum`` was sent (assumed)."""
    dag = datum - datetime.timedelta(days=KALLAD_DAGAR_FORE)
    return datetime.datetime.combine(dag, datetime.time(9, 0), tzinfo=datetime.UTC)


def _undertecknare(mote, folk: Folk, vilka) -> list[User]:
    """The meeting's ordförande and justerare (``vilka``: username, namn, roll, justerare) in
    its närvaro, each with a demo login to sign the protokoll."""
    users = []
    for username, namn, roll, justerare in vilka:
        person, _ = Person.objects.get_or_create(
            namn=namn, defaults={"typ": Person.Typ.FORTROENDEVALD}
        )
        users.append(med_konto(person, username))
        protokoll.lagg_till_deltagare(
            mote, person, roll=roll, user=folk.sekreterare, justerare=justerare
        )
    return users


def _justera(mote, undertecknare: list[User], tidpunkt: datetime.datetime) -> None:
    """The protokoll justerat by its ordförande and justerare: its beslut may now be
    expedierade or handed on (flows.arende.BESLUTET_JUSTERAT)."""
    for user in undertecknare:
        protokoll.justera(mote, user=user, tidpunkt=tidpunkt)


def aterrapport_text() -> str:
    rader = [HSN_787_ATERRAPPORT_TITEL, "HSN Dnr 787-2025", ""]
    for stycke in HSN_787_ATERRAPPORT_INLEDNING:
        rader += [stycke, ""]
    for punkt, rubrik, text in HSN_787_ATERRAPPORT_PUNKTER:
        rader += [punkt, "", rubrik, "", text, ""]
    return "\n".join(rader)


def hsn_787_2025(folk: Folk) -> Arende:
    """Seed 001 and 002, from registrering to återrapportering and avslut."""
    hsn = folk.organ["HSN"]
    yvonne = folk.personer["Yvonne E Nygren"]
    henrik = folk.personer["Henrik Ångström"]
    pia = folk.personer["Pia Näsvall"]
    with transaction.atomic():
        arende = diarium_services.registrera_arende(
            organ=hsn,
            arendemening=HSN_787_RUBRIK,
            typ=Arende.Typ.INITIATIVARENDE,
            user=folk.registrator,
            registrerat=HSN_787_REGISTRERAT,
            diarienummer="HSN 787-2025",
            upprattat=HSN_787_REGISTRERAT,
        )
        handlaggning_services.tilldela(
            arende,
            handlaggare=folk.handlaggare,
            beredningsansvariga=[
                (henrik, "delaktig i framtagandet av bilagt underlag"),
                (yvonne, "delaktig i slutlig handläggning inför politiskt beslut"),
            ],
            user=folk.stabschef,
        )
        do_transition(arende, ArendeSteg.PABORJA_BEREDNING, folk.handlaggare)
        diarium_services.lagg_till_handling(
            arende,
            user=folk.handlaggare,
            typ=Handling.Typ.BESLUTSUNDERLAG,
            riktning=Handling.Riktning.UPPRATTAD,
            titel="Underlag om palliativ vård 251007",
            datum=datetime.date(2025, 10, 7),
            avsandare_mottagare="HSD",
        )
        handlaggning_services.spara_tjansteskrivelse(
            arende,
            user=folk.handlaggare,
            datum=HSN_787_REGISTRERAT,
            forfattare=yvonne,
            enhet=folk.enheter["HSF övergripande verksamhet"],
            **HSN_787_TJANSTESKRIVELSE,
        )
        handlaggning_services.satt_sandlista(
            arende, [(pia, folk.enheter["HSD"])], user=folk.handlaggare
        )
        diarium_services.lagg_till_handling(
            arende,
            user=folk.handlaggare,
            typ=Handling.Typ.TJANSTESKRIVELSE,
            riktning=Handling.Riktning.UPPRATTAD,
            titel=f"Tjänsteskrivelse {HSN_787_RUBRIK}",
            datum=HSN_787_REGISTRERAT,
        )
        do_transition(
            arende, ArendeSteg.MARKERA_BEREDD, folk.handlaggare, "Tjänsteskrivelsen är klar."
        )
        # the beslut is § … of HSN's protokoll of its meeting, justerat before it is sent
        mote, punkt, undertecknare = _mote_om(
            arende,
            folk,
            HSN_787_BESLUTAT,
            HSN_787_UNDERTECKNARE,
            beskrivning=HSN_787_TJANSTESKRIVELSE["sammanfattning"],
            forslag_till_beslut=HSN_787_TJANSTESKRIVELSE["forslag_till_beslut"],
        )
        protokoll.besluta(
            punkt,
            user=folk.sekreterare,
            utfall=Punkt.Utfall.BIFALL,
            beslut=HSN_787_TJANSTESKRIVELSE["forslag_till_beslut"],
            uppdrag=[
                (
                    "Återrapportera arbetet med Handslaget för en bättre palliativ vård, "
                    "punkt för punkt, till hälso- och sjukvårdsnämnden.",
                    HSN_787_FORFALLER,
                    hsn,
                )
            ],
        )
        protokoll.uppratta(mote, user=folk.sekreterare)
        _justera(mote, undertecknare, HSN_787_JUSTERAT)
        arende.refresh_from_db()
        [mottagare] = arende.mottagare.all()
        # sent the day after the justering (assumed, as the day is): long before the
        # återrapport of 2026 that the beslut asked for
        handlaggning_services.expediera_till(
            mottagare,
            user=folk.sekreterare,
            metod="e-post",
            tidpunkt=HSN_787_JUSTERAT + datetime.timedelta(days=1),
        )
        rapport = diarium_services.lagg_till_handling(
            arende,
            user=folk.handlaggare,
            typ=Handling.Typ.ATERRAPPORT,
            riktning=Handling.Riktning.UPPRATTAD,
            titel=HSN_787_ATERRAPPORT_TITEL,
            datum=datetime.date(2026, 6, 1),
            beskrivning="\n".join(
                f"{punkt}: {rubrik}" for punkt, rubrik, _text in HSN_787_ATERRAPPORT_PUNKTER
            ),
            fil=ContentFile(aterrapport_text().encode(), name="aterrapport-hsn-787-2025.txt"),
        )
        [uppdrag] = arende.uppdrag.all()
        handlaggning_services.aterrapportera(
            uppdrag, handling=rapport, redovisat=HSN_787_FORFALLER, user=folk.handlaggare
        )
    return arende


# -- seed 003: from HSN through RS § 130 to Regionfullmäktige --------------------------------

NARA_VARD_RUBRIK = "Färdplan Nära vård 2030 i Västerbotten"
NARA_VARD_SAMMANFATTNING = (
    "Omställningen till nära vård pågår och innebär till stor del att fokus flyttas till att "
    "arbeta mera personcentrerat, sammanhållet, proaktivt och hälsofrämjande. En viktig "
    "framgångsfaktor i omställningen till Nära vård är samspelet mellan regionen och "
    "kommunerna.\n"
    "För att tydliggöra vägen mot målet, och skapa en gemensam viljeinriktning och en "
    "kraftsamling för omställningen till Nära vård i Västerbotten har en färdplan arbetats fram "
    "i samverkan mellan Region Västerbotten och länets 15 kommuner.\n"
    "Syftet med färdplanen är förbättrade förutsättningar till god hälsa för västerbottningen, "
    "barn och unga, vuxna och äldre. Målgruppen för dokumentet är primärt beslutsfattare och "
    "styrning/ledning.\n"
    "Då färdplanen är utformad på en övergripande nivå behöver den kompletteras med mer "
    "konkreta handlingsplaner, såväl i samverkan som internt hos varje huvudman. För att få "
    "genomslagskraft och bli hållbar över tid bör färdplanen bli en del i varje huvudmans "
    "ordinarie process för planering, genomförande och uppföljning."
)
NARA_VARD_HSN_FORSLAG = "Hälso- och sjukvårdsnämnden föreslår att regionfullmäktige beslutar"
NARA_VARD_ATT = "Fastställa Färdplan Nära vård 2030 i Västerbotten."
NARA_VARD_HSN_BESLUTAT = datetime.date(2023, 5, 22)
NARA_VARD_RS_BESLUTAT = datetime.date(2023, 6, 13)  # assumed: the seed gives no date
#: assumed days; the seeds name no ordförande or justerare of these meetings (invented, as for
#: HSN 787-2025): the förslag goes on once its protokoll is justerat
NARA_VARD_HSN_JUSTERAT = datetime.datetime(2023, 5, 26, 9, 0, tzinfo=datetime.UTC)
NARA_VARD_RS_JUSTERAT = datetime.datetime(2023, 6, 16, 9, 0, tzinfo=datetime.UTC)
RS_UNDERTECKNARE = [
    ("rs-ordforande", "Cecilia Påhittad", Deltagare.Roll.ORDFORANDE, False),
    ("rs-justerare", "David Exempelsson", Deltagare.Roll.LEDAMOT, True),
]


NARA_VARD_SARSKILT_YTTRANDE_AV = "Moderaterna, Centerpartiet, Kristdemokraterna, Liberalerna"
NARA_VARD_SARSKILT_YTTRANDE = (
    '"Förslaget på Färdplan för nära vård är i sak lovvärd och angelägen. Utmaningen är att '
    "trots att arbetet pågått i så många år så saknas det konkreta åtgärder på systemnivå för "
    "att förflytta vård närmare medborgarna. Det finns goda exempel men ingen sammanhållen "
    "konkret strategi hur man inom regionen samt i samverkan med länets kommuner ska gå från "
    "ord till handling. Färdplanen beskriver framför allt situationen på en teoretisk och "
    "övergripande nivå. Vi önskar att den skulle vara mer konkret och tydlig. För att "
    "åstadkomma detta krävs även en god och nära samverkan med länets kommuner. Vi kan "
    'konstatera att riktigt så verkar inte vara fallet."'
)
NARA_VARD_HSN_BEREDD = (
    "Hälso- och sjukvårdsnämnden har berett ärendet vid sammanträdet den 22 maj 2023."
)
#: the RS paragraphs of 2023 before the meeting of seed 003 (its § 130 is the first item)
RS_PARAGRAFER_FORE = 129
MOTESPLATS = "Regionens hus, Umeå"  # assumed: the seeds of HSN and RS give no place


def _bered(arende: Arende, folk: Folk, forslag: str) -> None:
    handlaggning_services.tilldela(arende, handlaggare=folk.handlaggare, user=folk.stabschef)
    do_transition(arende, ArendeSteg.PABORJA_BEREDNING, folk.handlaggare)
    diarium_services.lagg_till_handling(
        arende,
        user=folk.handlaggare,
        typ=Handling.Typ.BESLUTSUNDERLAG,
        riktning=Handling.Riktning.UPPRATTAD,
        titel=NARA_VARD_RUBRIK,
        datum=arende.registrerat,
    )
    handlaggning_services.spara_tjansteskrivelse(
        arende,
        user=folk.handlaggare,
        datum=arende.registrerat,
        forfattare=folk.personer["Henrik Ångström"],
        sammanfattning=NARA_VARD_SAMMANFATTNING,
        forslag_till_beslut=forslag,
    )
    do_transition(arende, ArendeSteg.MARKERA_BEREDD, folk.handlaggare)


def _mote_om(arende: Arende, folk: Folk, datum: datetime.date, vilka, **punkt):
    """A meeting of the ärende's organ with the ärende as its item, kallat: its ordförande
    and justerare (``vilka``) in the närvaro first, the kallelse goes to them."""
    sammantrade = protokoll.planera(
        organ=arende.organ, datum=datum, plats=MOTESPLATS, user=folk.sekreterare
    )
    item = protokoll.lagg_till_punkt(
        sammantrade,
        user=folk.sekreterare,
        arende=arende,
        slag=Punkt.Slag.BESLUTSARENDE,
        bilagor=list(arende.handlingar.filter(typ=Handling.Typ.BESLUTSUNDERLAG)),
        **punkt,
    )
    undertecknare = _undertecknare(sammantrade, folk, vilka)
    protokoll.kalla(sammantrade, user=folk.sekreterare, tidpunkt=kallelsens_tidpunkt(datum))
    return sammantrade, item, undertecknare


def rs_909_2023(folk: Folk) -> Arende:
    """Seed 003: HSN prepares and proposes (22 May 2023); RS § 130 proposes, with a särskilt
    yttrande by four parties; the matter goes on to Regionfullmäktige, which decides."""
    rf, rs, hsn = folk.organ["RF"], folk.organ["RS"], folk.organ["HSN"]
    hsn_forslag = f"{NARA_VARD_HSN_FORSLAG}\n\n{NARA_VARD_ATT}"
    rs_beslut = f"Regionstyrelsen föreslår att regionfullmäktige beslutar\n\n{NARA_VARD_ATT}"
    with transaction.atomic():
        i_hsn = diarium_services.registrera_arende(
            organ=hsn,
            arendemening=NARA_VARD_RUBRIK,
            typ=Arende.Typ.INITIATIVARENDE,
            user=folk.registrator,
            registrerat=datetime.date(2023, 4, 20),
        )
        _bered(i_hsn, folk, hsn_forslag)
        hsn_mote, hsn_punkt, hsn_undertecknare = _mote_om(
            i_hsn,
            folk,
            NARA_VARD_HSN_BESLUTAT,
            HSN_787_UNDERTECKNARE,
            beskrivning=NARA_VARD_SAMMANFATTNING,
            forslag_till_beslut=hsn_forslag,
        )
        protokoll.besluta(
            hsn_punkt,
            user=folk.sekreterare,
            utfall=Punkt.Utfall.FORSLAG,
            beslut=hsn_forslag,
            forslag_till=rf,
        )
        protokoll.uppratta(hsn_mote, user=folk.sekreterare)
        _justera(hsn_mote, hsn_undertecknare, NARA_VARD_HSN_JUSTERAT)
        i_hsn.refresh_from_db()
        i_rs = diarium_services.fortsatt_i(
            i_hsn,
            organ=rs,
            user=folk.registrator,
            diarienummer="RS 909-2023",
            registrerat=NARA_VARD_HSN_BESLUTAT,
            inkommet=NARA_VARD_HSN_BESLUTAT,
            avsandare=hsn.namn,
        )
        do_transition(
            i_hsn, ArendeSteg.AVSLUTA, folk.sekreterare, "Ärendet fortsätter i RS 909-2023."
        )
        _bered(i_rs, folk, f"{hsn_forslag}\n\n{NARA_VARD_HSN_BEREDD}")
        protokoll.tidigare_paragrafer(rs, 2023, RS_PARAGRAFER_FORE, user=folk.sekreterare)
        rs_mote, rs_punkt, rs_undertecknare = _mote_om(
            i_rs,
            folk,
            NARA_VARD_RS_BESLUTAT,
            RS_UNDERTECKNARE,
            beskrivning=f"{NARA_VARD_SAMMANFATTNING}\n{NARA_VARD_HSN_BEREDD}",
            forslag_till_beslut=hsn_forslag,
        )
        protokoll.besluta(
            rs_punkt,
            user=folk.sekreterare,
            utfall=Punkt.Utfall.FORSLAG,
            beslut=rs_beslut,
            forslag_till=rf,
        )
        protokoll.lagg_till_yttrande(
            rs_punkt,
            user=folk.sekreterare,
            typ=Yttrande.Typ.SARSKILT_YTTRANDE,
            avgivet_av=NARA_VARD_SARSKILT_YTTRANDE_AV,
            text=NARA_VARD_SARSKILT_YTTRANDE,
        )
        protokoll.uppratta(rs_mote, user=folk.sekreterare)
        _justera(rs_mote, rs_undertecknare, NARA_VARD_RS_JUSTERAT)
        diarium_services.fortsatt_i(
            i_rs,
            organ=rf,
            user=folk.registrator,
            registrerat=NARA_VARD_RS_BESLUTAT,
            inkommet=NARA_VARD_RS_BESLUTAT,
            avsandare=rs.namn,
        )
    i_rs.refresh_from_db()
    return i_rs


# -- seed 004: the protokoll of Samråd vård och omsorg, HSN 418-2-2021 ------------------------

SVO_BILAGOR = [
    ("Bilaga 16", "Fördelning av länsgemensamma UPH-medel tom 2021-05-05"),
    ("Bilaga 18", "Årsuppföljning 2020 – Hälsa, Lärande, Trygghet"),
    (
        "Bilaga 19",
        "Arbete för att främja en jämlik sexuell och reproduktiv hälsa samt rättigheter",
    ),
    ("Bilaga 20", "Hjälpmedelsrådets analys angående förskrivning av tyngdtäcken"),
    ("Bilaga 20.1", "Underlag för information om förskrivning av tyngdtäcken"),
    ("Bilaga 21", "Cityprojektet Umeå – Utvärdering av ett uppsökande arbete"),
    ("Bilaga 23", "Förslag om avtal till läkarmedverkan"),
]
#: the meeting of seed 004: its närvaro and its items 13–28 with the protokoll's own texts
SVO_PROTOKOLL = Path(__file__).with_name("seeddata") / "svo-2021-06-11.json"
#: accounts for the two who sign the protokoll: username, person
SVO_UNDERTECKNARE = [("ordforande", "Carin Nilsson"), ("justerare", "Kenneth Andersson")]
SVO_JUSTERAT = datetime.datetime(2021, 6, 16, 9, 0, tzinfo=datetime.UTC)  # assumed day


def svo_protokoll() -> dict:
    return json.loads(SVO_PROTOKOLL.read_text(encoding="utf-8"))


def _svo_personer(data: dict) -> dict[str, Person]:
    personer = {}
    for rad in data["narvaro"]:
        personer[rad["namn"]], _ = Person.objects.get_or_create(
            namn=rad["namn"],
            defaults={
                "typ": Person.Typ.FORTROENDEVALD,
                "parti": rad["parti"],
                "kommun": rad["kommun"],
            },
        )
    for rad in data["tjanstepersoner"]:
        personer[rad["namn"]], _ = Person.objects.get_or_create(
            namn=rad["namn"], defaults={"typ": Person.Typ.TJANSTEPERSON, "titel": rad["titel"]}
        )
    for username, namn in SVO_UNDERTECKNARE:
        med_konto(personer[namn], username)
    return personer


def med_konto(person: Person, username: str) -> User:
    """A demo login for ``person`` (who signs a protokoll), made once."""
    fornamn, efternamn = person.namn.split(" ", 1)
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": fornamn, "last_name": efternamn}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if person.anvandare_id is None:
        person.anvandare = user
        person.save()
    return user


def hsn_418_2_2021(folk: Folk) -> Arende:
    """Seed 004: the protokoll of Samråd vård och omsorg 2021-06-11, filed in HSN 418-2-2021,
    built from its data and taken through kallelse, beslut, justering and anslag."""
    data = svo_protokoll()
    svo = folk.organ[data["organ"]]
    sekreterare = folk.sekreterare
    with transaction.atomic():
        arende = diarium_services.registrera_arende(
            organ=svo,
            arendemening="Protokoll Samråd vård och omsorg 2021-06-11",
            typ=Arende.Typ.INFORMATIONSARENDE,
            user=folk.registrator,
            registrerat=datetime.date(2021, 6, 11),
            diarienummer=data["diarienummer"],
        )
        bilagor = {}
        for beteckning, titel in SVO_BILAGOR:
            bilagor[beteckning] = diarium_services.lagg_till_handling(
                arende,
                user=folk.registrator,
                typ=Handling.Typ.BILAGA,
                riktning=Handling.Riktning.INKOMMEN,
                titel=f"{beteckning}. {titel}",
                datum=datetime.date(2021, 6, 4),
            )
        personer = _svo_personer(data)
        punkter = data["punkter"]
        protokoll.tidigare_paragrafer(svo, 2021, punkter[0]["nr"] - 1, user=sekreterare)
        mote = protokoll.planera(
            organ=svo,
            datum=datetime.date.fromisoformat(data["datum"]),
            plats=data["plats"],
            arende=arende,
            user=sekreterare,
        )
        for rad in data["narvaro"]:
            protokoll.lagg_till_deltagare(
                mote,
                personer[rad["namn"]],
                roll=rad["roll"],
                user=sekreterare,
                narvarande=rad["narvarande"],
                justerare=rad["justerare"],
                ersatter=personer[rad["ersatter"]] if rad["ersatter"] else None,
            )
        for rad in data["tjanstepersoner"]:
            protokoll.lagg_till_deltagare(
                mote, personer[rad["namn"]], roll=Deltagare.Roll.TJANSTEPERSON, user=sekreterare
            )
        items = [
            protokoll.lagg_till_punkt(
                mote,
                user=sekreterare,
                ordning=rad["nr"],
                typ=rad["typ"],
                rubrik=rad["rubrik"],
                slag=rad["slag"],
                form=rad["form"],
                foredragande=rad["foredragande"],
                underlag=rad["underlag"],
                beskrivning=rad["beskrivning"],
                bilagor=[bilagor[b] for b in rad["bilagor"]],
            )
            for rad in punkter
        ]
        protokoll.kalla(mote, user=sekreterare, tidpunkt=kallelsens_tidpunkt(mote.datum))
        # presence that changed during the meeting, by the items it names; what names no
        # item of this meeting (seed 004: "frånvarande på punkt 7a") is kept word for word
        per_nummer = {str(rad["nr"]): item for rad, item in zip(punkter, items, strict=True)}
        for rad in data["narvaro"]:
            if rad["anslot_fran"] or rad["franvarande_pa"]:
                franvarande = [b.strip() for b in rad["franvarande_pa"].split(",") if b.strip()]
                ovriga = [b for b in franvarande if b not in per_nummer]
                protokoll.andra_narvaro(
                    mote.deltagare.get(person=personer[rad["namn"]]),
                    user=sekreterare,
                    anslot_fran=per_nummer.get(rad["anslot_fran"]),
                    franvarande_pa=[per_nummer[b] for b in franvarande if b in per_nummer],
                    anteckning=f"frånvarande på punkt {', '.join(ovriga)}" if ovriga else "",
                )
        for rad, item in zip(punkter, items, strict=True):
            if rad["utfall"]:
                protokoll.besluta(
                    item, user=sekreterare, utfall=rad["utfall"], beslut=rad["beslut"]
                )
        protokoll.uppratta(mote, user=sekreterare)
        for username, _namn in SVO_UNDERTECKNARE:
            protokoll.justera(mote, user=User.objects.get(username=username), tidpunkt=SVO_JUSTERAT)
    return arende


# -- not a seed: a sekretess-marked ärende and a request for its handlingar -------------------
#
# Invented, to show secrecy at work (OSL 25 kap. 1 §, hälso- och sjukvård): who reads what, the
# postlista's public rubrik, and a begäran om allmän handling answered with masking.

KLAGOMAL_MENING = (
    "Patienten Sven Exempelsson, Storgatan 1, Umeå, klagar på bemötandet vid avdelning 7 "
    "efter behandling för hjärtsvikt"
)
KLAGOMAL_RUBRIK = "Klagomål på bemötande vid avdelning 7"
KLAGOMAL_LAGRUM = "OSL 25 kap. 1 §"
KLAGOMAL_SIDOR = (
    "Utredning av klagomålet. Sida 1: avdelningens rutiner för bemötande och information.",
    "Sida 2: journaluppgifter om patienten Sven Exempelsson och hans hjärtsvikt.",
    "Sida 3: verksamhetens slutsatser och åtgärder för avdelningen.",
)


def _pdf(*sidor: str) -> bytes:
    import weasyprint

    html = "".join(f'<p style="page-break-after: always">{text}</p>' for text in sidor)
    return weasyprint.HTML(string=f"<html lang='sv'><body>{html}</body></html>").write_pdf()


def hsn_klagomal(folk: Folk) -> Arende:
    from arenden.begaran import services as begaran

    arende = diarium_services.registrera_arende(
        organ=folk.organ["HSN"],
        arendemening=KLAGOMAL_MENING,
        offentlig_rubrik=KLAGOMAL_RUBRIK,
        typ=Arende.Typ.SKRIVELSE,
        user=folk.registrator,
        registrerat=datetime.date(2025, 11, 3),
        inkommet=datetime.date(2025, 11, 3),
        avsandare="Sven Exempelsson",
        diarienummer="HSN 812-2025",
        sekretess_lagrum=KLAGOMAL_LAGRUM,
    )
    handlaggning_services.tilldela(arende, handlaggare=folk.handlaggare, user=folk.stabschef)
    do_transition(arende, ArendeSteg.PABORJA_BEREDNING, folk.handlaggare)
    utredning = diarium_services.lagg_till_handling(
        arende,
        user=folk.handlaggare,
        typ=Handling.Typ.BESLUTSUNDERLAG,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Utredning av Sven Exempelssons klagomål, med journaluppgifter",
        offentlig_titel="Utredning av klagomålet",
        datum=datetime.date(2025, 11, 10),
        avsandare_mottagare="Verksamhetschefen, avdelning 7",
        fil=ContentFile(_pdf(*KLAGOMAL_SIDOR), name="utredning.pdf"),
        sekretess_lagrum=KLAGOMAL_LAGRUM,
    )
    begaran_ = begaran.registrera(
        arende,
        user=folk.registrator,
        avser="Alla handlingar i ärendet om klagomålet på avdelning 7",
        form=Begaran.Form.EPOST,
        handlingar=[utredning],
        inkommen=datetime.date(2025, 11, 17),
        kontakt="redaktionen@example.se",
    )
    begaran.prova(
        begaran_,
        user=folk.handlaggare,
        utfall={utredning.pk: ("maskeras", KLAGOMAL_LAGRUM, "2")},
        motivering=(
            "Sidan 2 innehåller uppgifter om en enskilds hälsotillstånd. Det kan antas att den "
            "enskilde lider men om uppgifterna röjs (OSL 25 kap. 1 §). Övriga sidor lämnas ut."
        ),
    )
    return arende


# -- a motion and a medborgarförslag, with the one-year clock of KL 5 kap. 35 § ---------------


def rs_motion(folk: Folk) -> Arende:
    """A motion väckt in Regionfullmäktige on 16 December 2024 and berett by Regionstyrelsen:
    its year runs out on 16 December 2025, close to the demo's autumn."""
    arende = motion_services.registrera(
        user=folk.registrator,
        organ=folk.organ["RS"],
        arendemening="Motion om gratis kollektivtrafik för unga under 20 år",
        typ=Arende.Typ.MOTION,
        fullmaktige=folk.organ["RF"],
        vackt=datetime.date(2024, 12, 16),
        namn="Eva Exempel",
        parti="V",
        registrerat=datetime.date(2024, 12, 17),
        diarienummer="RS 1201-2024",
    )
    handlaggning_services.tilldela(arende, handlaggare=folk.handlaggare, user=folk.stabschef)
    do_transition(arende, ArendeSteg.PABORJA_BEREDNING, folk.handlaggare)
    return arende


def rs_medborgarforslag(folk: Folk) -> Arende:
    """A medborgarförslag handed in on 29 September 2025, not yet assigned."""
    return motion_services.registrera(
        user=folk.registrator,
        organ=folk.organ["RS"],
        arendemening="Medborgarförslag om laddstolpar vid vårdcentralerna",
        typ=Arende.Typ.MEDBORGARFORSLAG,
        fullmaktige=folk.organ["RF"],
        vackt=datetime.date(2025, 9, 29),
        namn="Olle Påhittad",
        registrerat=datetime.date(2025, 9, 30),
        inkommet=datetime.date(2025, 9, 29),
        diarienummer="RS 1305-2025",
    )


SEEDS = [
    ("HSN 787-2025", hsn_787_2025),
    ("RS 909-2023", rs_909_2023),
    ("HSN 418-2-2021", hsn_418_2_2021),
    ("HSN 812-2025", hsn_klagomal),
    ("RS 1201-2024", rs_motion),
    ("RS 1305-2025", rs_medborgarforslag),
]


#: HSN's delegationsordning (assumed, in the form regions adopt): nummer, beslutsområde,
#: delegat (a person of TJANSTEPERSONER), befattning, ersättare, lagrum
HSN_DELEGATIONSORDNING = [
    (
        "1.1",
        "Beslut att inte lämna ut en allmän handling eller att lämna ut den med förbehåll",
        "Yvonne E Nygren",
        "stabschef",
        "Pia Näsvall",
        "OSL 6 kap. 3 §, 10 kap. 4 §",
    ),
    (
        "1.2",
        "Yttrande i remissärenden där svarstiden inte medger att nämnden sammanträder",
        "Pia Näsvall",
        "hälso- och sjukvårdsdirektör",
        "Yvonne E Nygren",
        "KL 6 kap. 37 §",
    ),
]


def delegationsordning(folk: Folk) -> list:
    """HSN's delegationsordning, entered by its nämndsekreterare as the nämnd adopted it;
    the stabschef is a delegat and so reads the nämnd's ärenden a beslut may be asked of.
    Nothing is added when the nämnd has a delegationsordning already."""
    from arenden.delegering.models import Delegationspunkt
    from arenden.delegering.services import lagg_till_delegationspunkt

    hsn = folk.organ["HSN"]
    if Delegationspunkt.objects.filter(organ=hsn).exists():
        return []
    return [
        lagg_till_delegationspunkt(
            hsn,
            user=folk.sekreterare,
            nummer=nummer,
            beslutsomrade=omrade,
            delegat=folk.personer[delegat],
            befattning=befattning,
            ersattare=folk.personer[ersattare],
            lagrum=lagrum,
            giltig_fran=datetime.date(2025, 3, 1),
            antagen_genom="HSN 2025-02-12 § 14",
            ej_undantaget=True,
        )
        for nummer, omrade, delegat, befattning, ersattare, lagrum in HSN_DELEGATIONSORDNING
    ]


def ladda(folk: Folk | None = None) -> list[tuple[str, Arende, bool]]:
    """Build every seed case that is not there yet: (diarienummer, ärende, created)."""
    folk = folk or bygg_organisation()
    result = []
    for diarienummer, bygg in SEEDS:
        befintligt = _finns(diarienummer)
        result.append(
            (diarienummer, befintligt, False) if befintligt else (diarienummer, bygg(folk), True)
        )
    return result
