"""Archive export: each closed ärende as an FGS Paketstruktur package for the e-arkiv.

A package is a folder::

    HSN-787-2025/
        mets.xml                 METS: who delivers what, every file with SHA-256 and size
        metadata/premis.xml      PREMIS 3: every file's checksum, size and format
        content/arende.xml       FGS Ärendehantering (Riksarkivet's schema): the ärende and
                                 its handlingar; in its TillkommandeXMLdata the beslut and the
                                 workflow history with the hash chain (the project's schema)
        content/handlingar/...   the handlingar's files, as filed

Every XML file is validated against the schemas in ``scheman/`` before the package is put in
place (see ``scheman/LASMIG.md`` for where each schema comes from). Only a closed ärende
(a final state of its workflow) is packed; the archive takes what is slutbehandlat.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from arenden.arkiv.models import utan_arkivvard
from arenden.diarium.models import Arende, ArendeRelation, Handling
from arenden.organisation.models import Person
from flows.namn import ArendeStatus
from workflow import history as kedjor
from workflow.context import acting_as
from workflow.engine import history
from workflow.models import WorkflowHistory
from workflow.registry import bindings_for_model, get_workflow, workflow_for

SCHEMAN = Path(__file__).resolve().parent / "scheman"

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
PREMIS = "http://www.loc.gov/premis/v3"
FGS = "http://xml.ra.se/e-arkiv/FGS-ERMS"
#: what the package carries beyond FGS Ärendehantering, in its TillkommandeXMLdata
TILLAGG = "urn:arendehantering:fgs-tillagg:1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

SYSTEM = "Ärendehantering (AGPL-3.0-or-later)"

#: the workflow's states as FGS StatusArande
STATUS_ARENDE = {
    ArendeStatus.AVSLUTAT: "Stängt",
    ArendeStatus.AVSKRIVET: "Stängt",
    ArendeStatus.MAKULERAT: "Makulerat",
    ArendeStatus.VILANDE: "Vilande",
}

RIKTNING = {
    Handling.Riktning.INKOMMEN: "Inkommande",
    Handling.Riktning.UPPRATTAD: "Upprättad",
    Handling.Riktning.INTERN: "Intern",
}

#: a handling's status as FGS StatusHandling
STATUS_HANDLING = {
    Handling.Status.UTKAST: "Under arbete",
    Handling.Status.INKOMMEN: "Inkommen",
    Handling.Status.UPPRATTAD: "Upprättad",
}


class ArkivFel(Exception):
    """An ärende that may not be packed, or a package that does not validate."""


@dataclass(frozen=True)
class Paket:
    arende: Arende
    mapp: Path
    #: the ärende's version (diarium.services.arendets_version) the package was built from
    version: int


# -- schemas ----------------------------------------------------------------------------------


@cache
def schema(namn: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAN / namn)))


SCHEMA_FOR = {
    f"{{{METS}}}mets": "mets.xsd",
    f"{{{PREMIS}}}premis": "premis.xsd",
    # Riksarkivet's schema, and through it (an import) the project's for TillkommandeXMLdata
    f"{{{FGS}}}Leveransobjekt": "arendehantering-tillagg.xsd",
}


def validera(dokument: etree._ElementTree | etree._Element) -> None:
    """Raise :class:`ArkivFel` with the schema's complaints unless ``dokument`` is valid."""
    rot = dokument.getroot() if isinstance(dokument, etree._ElementTree) else dokument
    namn = SCHEMA_FOR.get(rot.tag)
    if namn is None:
        raise ArkivFel(_("Okänt dokument i arkivpaketet: %(tag)s") % {"tag": rot.tag})
    xsd = schema(namn)
    if not xsd.validate(rot):
        fel = "; ".join(f"rad {e.line}: {e.message}" for e in xsd.error_log)
        raise ArkivFel(
            _("%(schema)s godkänner inte paketet: %(fel)s") % {"schema": namn, "fel": fel}
        )


# -- helpers ----------------------------------------------------------------------------------


def ar_stangt(arende: Arende) -> bool:
    state = workflow_for(arende).states.get(arende.state)
    return bool(state and state.final)


def paketnamn(arende: Arende) -> str:
    return str(arende.diarienummer).replace(" ", "-")


def _saker_filnamn(namn: str) -> str:
    plain = unicodedata.normalize("NFKD", namn).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._") or "fil"
    return plain[:120]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fil:
        for chunk in iter(lambda: fil.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sub(parent, tag: str, text=None, **attrib):
    el = etree.SubElement(parent, tag, {k: str(v) for k, v in attrib.items()})
    if text is not None:
        el.text = str(text)
    return el


def _tid(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat()


def _namn(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _enhet(user) -> str:
    person = Person.objects.filter(anvandare=user).select_related("enhet").first()
    return person.enhet.namn if person and person.enhet else ""


# -- FGS Ärendehantering ----------------------------------------------------------------------
#
# The elements of Riksarkivet's schema (scheman/Arendehantering.xsd) in its order; what it has
# no element for goes in TillkommandeXMLdata, in the project's namespace (TILLAGG).


def _tidpunkt(value) -> str:
    """A date, or a time in Stockholm without zone: FGS's EgetTidDatum (YYYY-MM-DD or
    YYYY-MM-DDThh:mm:ss)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S")
    return value.isoformat()


def _fgs(parent, tag: str, text=None, **attrib):
    return _sub(parent, f"{{{FGS}}}{tag}", text, **attrib)


def _datum(parent, tag: str, value) -> None:
    if value:
        _fgs(parent, tag, _tidpunkt(value))


def _agent(parent, roll: str, namn: str, organisation: str = "", enhet: str = "") -> None:
    if not namn:
        return
    agent = _fgs(parent, "Agent")
    _fgs(agent, "Roll", roll)
    _fgs(agent, "Namn", namn)
    if organisation:
        _fgs(agent, "Organisationsnamn", organisation)
    if enhet:
        _fgs(agent, "Enhetsnamn", enhet)


def _part(parent, tag: str, namn: str) -> None:
    """An Avsandare, Mottagare or Motpart (FGS PersonOrganisationTyp) known by name."""
    if namn:
        _fgs(_fgs(parent, tag), "Namn", namn)


def _restriktion(parent, lagrum: str, datum, markerad_av: str) -> None:
    """A sekretess marking with its lagrum, date and who marked it (OSL 5 kap. 5 §)."""
    if not lagrum:
        return
    el = _fgs(parent, "Restriktion", Typ="Sekretess")
    if markerad_av:
        _fgs(el, "ForklarandeText", _("Sekretessmarkerad av %(vem)s") % {"vem": markerad_av})
    _fgs(el, "Lagrum", lagrum)
    _datum(el, "RestriktionsDatum", datum)


def _relation(parent, typ: str, titel: str, diarienummer: str, *, hit: bool) -> None:
    """An ArendeRelation: FGS's own words for a plain reference, the relation's name for
    the others (Egen relationsdefinition)."""
    if typ == ArendeRelation.Typ.RELATERAT:
        _fgs(parent, "ArendeRelation", diarienummer, Typ="Refereras av" if hit else "Referens")
    else:
        annan = _("%(typ)s (från)") % {"typ": titel} if hit else titel
        _fgs(parent, "ArendeRelation", diarienummer, Typ="Egen relationsdefinition", AnnanTyp=annan)


def arende_xml(arende: Arende, filer: dict[int, tuple[str, str, int, str]]) -> etree._Element:
    """The FGS Ärendehantering document for one ärende; ``filer`` maps a handling's id to
    (path in the package, MIME type, size, SHA-256) of its file."""
    rot = etree.Element(f"{{{FGS}}}Leveransobjekt", nsmap={None: FGS, "t": TILLAGG})
    el = _fgs(_fgs(rot, "ArkivobjektListaArenden"), "ArkivobjektArende")
    _fgs(el, "ArkivobjektID", arende.diarienummer)
    _fgs(el, "ArendeTyp", arende.get_typ_display())
    _datum(el, "Avslutat", arende.avslutat)
    beslutsdagar = {b.datum for b in arende.beslut.all()}
    if not beslutsdagar and arende.beslutat:
        beslutsdagar = {arende.beslutat}
    for dag in sorted(beslutsdagar):
        _datum(el, "Beslutat", dag)

    if arende.handlaggare:
        _agent(
            el,
            "Handläggare",
            _namn(arende.handlaggare),
            arende.organ.namn,
            _enhet(arende.handlaggare),
        )
    for ansvarig in arende.beredningsansvariga.select_related("person__enhet"):
        enhet = ansvarig.person.enhet.namn if ansvarig.person.enhet else ""
        _agent(el, "Beredningsansvarig", ansvarig.person.namn, arende.organ.namn, enhet)
    for mottagare in arende.mottagare.select_related("person", "enhet").order_by("ordning"):
        namn = (
            mottagare.person.namn
            if mottagare.person
            else mottagare.enhet.namn
            if mottagare.enhet
            else mottagare.adress
        )
        _agent(el, "Mottagare av beslut", namn)
    if arende.klassificering:
        _fgs(el, "Klass", arende.klassificering)
    _restriktion(el, arende.sekretess_lagrum, arende.sekretess_datum, arende.sekretess_markerad_av)
    _part(el, "Motpart", arende.avsandare)  # who brought the matter: a party to it
    for rel in arende.relationer.select_related("till"):
        _relation(el, rel.typ, rel.get_typ_display(), rel.till.diarienummer, hit=False)
    for rel in arende.relationer_hit.select_related("fran"):
        _relation(el, rel.typ, rel.get_typ_display(), rel.fran.diarienummer, hit=True)
    _datum(el, "Skapad", arende.registrerat)
    _datum(el, "Inkommen", arende.inkommet)
    _fgs(el, "StatusArande", STATUS_ARENDE.get(arende.state, "Öppet"))
    _datum(el, "Upprattad", arende.upprattat)
    _datum(el, "Expedierad", arende.expedierat)
    _fgs(el, "Arendemening", arende.arendemening)
    _arendeuppgifter(_fgs(el, "TillkommandeXMLdata"), arende)

    handlingar = list(arende.handlingar.select_related("registrerad_av").order_by("nummer"))
    if handlingar:
        hl = _fgs(el, "ArkivobjektListaHandlingar")
        for handling in handlingar:
            handling.arende = arende
            _handling_xml(_fgs(hl, "ArkivobjektHandling"), handling, filer.get(handling.pk))
    return rot


def _handling_xml(h, handling: Handling, fil: tuple[str, str, int, str] | None) -> None:
    _fgs(h, "ArkivobjektID", handling.beteckning)
    _fgs(h, "Handlingstyp", handling.get_typ_display())
    if handling.riktning == Handling.Riktning.INKOMMEN:
        _part(h, "Avsandare", handling.avsandare_mottagare)
    if handling.beskrivning:
        _fgs(h, "Beskrivning", handling.beskrivning)
    if handling.registrerad_av:
        _agent(h, "Registrator", _namn(handling.registrerad_av))
    if handling.riktning == Handling.Riktning.INKOMMEN:
        _datum(h, "Inkommen", handling.datum)
    _fgs(h, "Lopnummer", handling.nummer)
    if handling.riktning != Handling.Riktning.INKOMMEN:
        _part(h, "Mottagare", handling.avsandare_mottagare)
    _fgs(h, "Rubrik", handling.titel)
    _datum(h, "Skapad", handling.registrerad)
    _fgs(h, "StatusHandling", STATUS_HANDLING[handling.status])
    if handling.riktning != Handling.Riktning.INKOMMEN:
        _datum(h, "Upprattad", handling.datum)
    # a handling of a secret ärende is secret with it (Handling.sekretess_enligt): each
    # handling says so itself, so that one read apart from its ärende still carries it
    marking = handling if handling.sekretess_lagrum else handling.arende
    _restriktion(
        h, marking.sekretess_lagrum, marking.sekretess_datum, marking.sekretess_markerad_av
    )
    if fil is not None:
        sokvag, mime, storlek, sha = fil
        _fgs(
            h,
            "Bilaga",
            Namn=handling.filnamn or Path(sokvag).name,
            # relative to arende.xml, which lies in content/ beside handlingar/
            Lank=sokvag.removeprefix("content/"),
            Storlek=storlek,
            Mimetyp=mime,
            Checksumma=sha,
            ChecksummaMetod="SHA-256",
        )
    t = f"{{{TILLAGG}}}"
    uppgifter = _sub(_fgs(h, "TillkommandeXMLdata"), t + "Handlingsuppgifter")
    if handling.offentlig_titel:
        _sub(uppgifter, t + "OffentligRubrik", handling.offentlig_titel)
    _sub(uppgifter, t + "Riktning", RIKTNING[handling.riktning])
    _sub(uppgifter, t + "Datum", handling.datum.isoformat())
    _sub(uppgifter, t + "Registrerad", _tid(handling.registrerad))


def _arendeuppgifter(parent, arende: Arende) -> None:
    """What FGS has no element for: the public rubrik, the workflow's status and the organ,
    the beslut with their uppdrag, and the whole workflow history."""
    t = f"{{{TILLAGG}}}"
    el = _sub(parent, t + "Arendeuppgifter")
    if arende.offentlig_rubrik:
        _sub(el, t + "OffentligRubrik", arende.offentlig_rubrik)
    _sub(el, t + "Status", arende.status_titel)
    _sub(el, t + "Organ", arende.organ.namn)

    def agent(parent, roll: str, namn: str, organisation: str = "") -> None:
        a = _sub(parent, t + "Agent")
        _sub(a, t + "Roll", roll)
        _sub(a, t + "Namn", namn)
        if organisation:
            _sub(a, t + "Organisationsnamn", organisation)

    for beslut in arende.beslut.select_related("organ", "forslag_till"):
        b = _sub(el, t + "Beslut")
        _sub(b, t + "Datum", beslut.datum.isoformat())
        _sub(b, t + "Organ", beslut.organ.namn)
        punkt = getattr(beslut, "punkt", None)  # the paragraph in a sammanträde, if any
        paragraf = beslut.paragraf or (punkt.paragraf if punkt else None)
        if paragraf:
            _sub(b, t + "Paragraf", paragraf)
        # a paragraph in the organ's protokoll, or a decision outside the meeting whose
        # decision-maker is recorded (KL 6 kap. 39 §, 7 kap. 8 §; FL 31 §)
        if punkt is not None or paragraf:
            _sub(b, t + "Beslutsform", _("Beslut i sammanträde"))
            agent(b, "Beslutande organ", beslut.organ.namn)
        else:
            _sub(b, t + "Beslutsform", _("Beslut utanför sammanträde"))
            forst = beslut.history.order_by("history_date").first()
            if forst is not None and forst.history_user is not None:
                agent(b, "Beslutsfattare", _namn(forst.history_user), beslut.organ.namn)
        _sub(b, t + "Beslutstext", beslut.text)
        if beslut.forslag_till:
            _sub(b, t + "ForslagTill", beslut.forslag_till.namn)
        for uppdrag in beslut.uppdrag.select_related("rapportera_till", "aterrapport"):
            u = _sub(b, t + "Uppdrag")
            _sub(u, t + "Beskrivning", uppdrag.beskrivning)
            _sub(u, t + "Forfaller", uppdrag.forfaller.isoformat())
            _sub(u, t + "RapporterasTill", uppdrag.rapportera_till.namn)
            if uppdrag.redovisat:
                _sub(u, t + "Redovisat", uppdrag.redovisat.isoformat())
            if uppdrag.aterrapport:
                _sub(u, t + "Aterrapport", uppdrag.aterrapport.beteckning)
    _historik(el, arende)


def _historik(parent, arende: Arende) -> None:
    """The workflow history, entry by entry with its hashes, and whether the chain holds
    (workflow.history.verify recomputes it)."""
    t = f"{{{TILLAGG}}}"
    poster = list(history(arende))
    rapport = kedjor.verify(history(arende))
    hist = _sub(parent, t + "Historik")
    _sub(hist, t + "Kedja", "obruten" if rapport.intact else "bruten")
    for post in poster:
        p = _sub(hist, t + "Post")
        _sub(p, t + "Lopnummer", post.seq)
        _sub(p, t + "Arbetsflode", post.workflow)
        _sub(p, t + "Overgang", post.transition)
        _sub(p, t + "FranStatus", post.from_state)
        _sub(p, t + "TillStatus", post.to_state)
        _sub(p, t + "Utforare", post.actor_name)
        _sub(p, t + "Roller", ", ".join(post.roles or []))
        _sub(p, t + "Tidpunkt", _tid(post.timestamp))
        _sub(p, t + "Kommentar", post.comment)
        _sub(p, t + "ForegaendeHash", post.prev_hash)
        _sub(p, t + "Hash", post.hash)


# -- PREMIS and METS --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fil:
    id: str
    sokvag: str  # relative to the package, with forward slashes
    mime: str
    storlek: int
    sha256: str
    originalnamn: str = ""


def premis_xml(filer: list[Fil], arende: Arende) -> etree._Element:
    p = f"{{{PREMIS}}}"
    rot = etree.Element(p + "premis", nsmap={"premis": PREMIS, "xsi": XSI}, version="3.0")
    for fil in filer:
        obj = _sub(rot, p + "object")
        obj.set(f"{{{XSI}}}type", "premis:file")
        ident = _sub(obj, p + "objectIdentifier")
        _sub(ident, p + "objectIdentifierType", "local")
        _sub(ident, p + "objectIdentifierValue", fil.sokvag)
        kar = _sub(obj, p + "objectCharacteristics")
        _sub(kar, p + "compositionLevel", 0)
        fixity = _sub(kar, p + "fixity")
        _sub(fixity, p + "messageDigestAlgorithm", "SHA-256")
        _sub(fixity, p + "messageDigest", fil.sha256)
        _sub(fixity, p + "messageDigestOriginator", SYSTEM)
        _sub(kar, p + "size", fil.storlek)
        fmt = _sub(_sub(kar, p + "format"), p + "formatDesignation")
        _sub(fmt, p + "formatName", fil.mime)
        if fil.originalnamn:
            _sub(obj, p + "originalName", fil.originalnamn)
    event = _sub(rot, p + "event")
    ident = _sub(event, p + "eventIdentifier")
    _sub(ident, p + "eventIdentifierType", "UUID")
    _sub(ident, p + "eventIdentifierValue", uuid.uuid4())
    _sub(event, p + "eventType", "packing")
    _sub(event, p + "eventDateTime", _tid(timezone.now()))
    _sub(_sub(event, p + "eventDetailInformation"), p + "eventDetail", _("Arkivpaket skapat"))
    _sub(_sub(event, p + "eventOutcomeInformation"), p + "eventOutcome", "success")
    agent_ref = _sub(event, p + "linkingAgentIdentifier")
    _sub(agent_ref, p + "linkingAgentIdentifierType", "local")
    _sub(agent_ref, p + "linkingAgentIdentifierValue", "system")
    for fil in filer:
        ref = _sub(event, p + "linkingObjectIdentifier")
        _sub(ref, p + "linkingObjectIdentifierType", "local")
        _sub(ref, p + "linkingObjectIdentifierValue", fil.sokvag)
    agent = _sub(rot, p + "agent")
    ident = _sub(agent, p + "agentIdentifier")
    _sub(ident, p + "agentIdentifierType", "local")
    _sub(ident, p + "agentIdentifierValue", "system")
    _sub(agent, p + "agentName", SYSTEM)
    _sub(agent, p + "agentType", "software")
    return rot


def _mets_agent(hdr, role: str, typ: str, namn: str, othertype: str = ""):
    m = f"{{{METS}}}"
    attrib = {"ROLE": role, "TYPE": typ}
    if othertype:
        attrib["OTHERTYPE"] = othertype
    agent = _sub(hdr, m + "agent", **attrib)
    _sub(agent, m + "name", namn)


def _mdref(parent, fil: Fil, mdtype: str, other: str = "") -> None:
    attrib = {
        "ID": fil.id,
        "LOCTYPE": "URL",
        f"{{{XLINK}}}type": "simple",
        f"{{{XLINK}}}href": f"file:{fil.sokvag}",
        "MDTYPE": mdtype,
        "MIMETYPE": fil.mime,
        "SIZE": fil.storlek,
        "CHECKSUM": fil.sha256,
        "CHECKSUMTYPE": "SHA-256",
    }
    if other:
        attrib["OTHERMDTYPE"] = other
    _sub(parent, f"{{{METS}}}mdRef", **attrib)


def mets_xml(arende: Arende, metadata: Fil, premis: Fil, innehall: list[Fil]) -> etree._Element:
    m = f"{{{METS}}}"
    rot = etree.Element(
        m + "mets",
        nsmap={"mets": METS, "xlink": XLINK, "xsi": XSI},
        OBJID=f"UUID:{uuid.uuid4()}",
        TYPE="ERMS",
        # the header is read without the FGS Restriktion: a secret ärende by its masked rubrik
        # (OSL 5 kap. 5 §), as arkivexport --torrkorning prints it
        LABEL=f"{arende.diarienummer} {arende.publik_rubrik}"[:500],
        PROFILE="FGS Paketstruktur (RAFGS1V1)",
    )
    nu = timezone.localtime().replace(microsecond=0).isoformat()
    hdr = _sub(rot, m + "metsHdr", CREATEDATE=nu, RECORDSTATUS="NEW")
    _mets_agent(hdr, "ARCHIVIST", "ORGANIZATION", arende.organ.namn)
    _mets_agent(hdr, "CREATOR", "ORGANIZATION", arende.organ.namn)
    _mets_agent(hdr, "CREATOR", "OTHER", SYSTEM, othertype="SOFTWARE")
    _sub(hdr, m + "altRecordID", str(arende.diarienummer), TYPE="DIARIENUMMER")

    dmd = _sub(rot, m + "dmdSec", ID="dmd-arende", CREATED=nu)
    _mdref(dmd, metadata, "OTHER", "FGS Ärendehantering")
    amd = _sub(rot, m + "amdSec", ID="amd")
    digiprov = _sub(amd, m + "digiprovMD", ID="digiprov-premis")
    _mdref(digiprov, premis, "PREMIS")

    filesec = _sub(rot, m + "fileSec")
    grp = _sub(filesec, m + "fileGrp", ID="handlingar", USE="Handlingar")
    for fil in innehall:
        el = _sub(
            grp,
            m + "file",
            ID=fil.id,
            MIMETYPE=fil.mime,
            SIZE=fil.storlek,
            CHECKSUM=fil.sha256,
            CHECKSUMTYPE="SHA-256",
            ADMID="digiprov-premis",
        )
        _sub(
            el,
            m + "FLocat",
            LOCTYPE="URL",
            **{f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": f"file:{fil.sokvag}"},
        )
    karta = _sub(rot, m + "structMap", TYPE="physical", LABEL="Paketstruktur")
    paket = _sub(karta, m + "div", LABEL=paketnamn(arende), DMDID="dmd-arende", ADMID="amd")
    content = _sub(paket, m + "div", LABEL="content")
    for fil in innehall:
        _sub(
            _sub(content, m + "div", LABEL=fil.sokvag),
            m + "fptr",
            FILEID=fil.id,
        )
    return rot


# -- building a package -----------------------------------------------------------------------


def _skriv(dokument: etree._Element, path: Path) -> None:
    validera(dokument)
    path.parent.mkdir(parents=True, exist_ok=True)
    etree.ElementTree(dokument).write(
        str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _fil(mapp: Path, sokvag: str, id: str, mime: str, original: str = "") -> Fil:
    path = mapp / sokvag
    return Fil(id, sokvag, mime, path.stat().st_size, _sha256(path), original)


def bygg_paket(arende: Arende, mal: Path, *, ersatt: bool = False) -> Paket:
    """Write the package of ``arende`` under ``mal``; :class:`ArkivFel` if it is not closed,
    if a file does not match its recorded checksum or if the XML does not validate. The
    package is built beside the target and moved into place only when whole. It is built
    from the ärende as it stood when the build began (its version, read first): whether it
    changed meanwhile is for :func:`markera_levererat` to ask."""
    version = _version(arende.pk)
    if not ar_stangt(arende):
        raise ArkivFel(
            _("%(dnr)s är inte avslutat (%(status)s) och kan inte levereras till arkivet.")
            % {"dnr": arende.diarienummer, "status": arende.status_titel}
        )
    mal = Path(mal)
    mal.mkdir(parents=True, exist_ok=True)
    slutlig = mal / paketnamn(arende)
    if slutlig.exists() and not ersatt:
        raise ArkivFel(_("Paketet %(namn)s finns redan i målmappen.") % {"namn": slutlig.name})
    bygge = Path(tempfile.mkdtemp(prefix=f".{slutlig.name}-", dir=mal))
    try:
        innehall: list[Fil] = []
        per_handling: dict[int, tuple[str, str, int, str]] = {}
        for handling in arende.handlingar.exclude(fil="").order_by("nummer"):
            # a secret handling's file by its number only: its uploaded name can say what it
            # is about (a diagnosis, a name), and the package's paths and PREMIS are read
            # without the Restriktion
            hemlig = handling.hemlig
            namn = _saker_filnamn(handling.filnamn or Path(handling.fil.name).name)
            if hemlig:
                namn = f"fil{Path(namn).suffix}"
            sokvag = f"content/handlingar/{handling.nummer:04d}-{namn}"
            path = bygge / sokvag
            path.parent.mkdir(parents=True, exist_ok=True)
            with handling.fil.open("rb") as kalla, path.open("wb") as ut:
                shutil.copyfileobj(kalla, ut, 1024 * 1024)
            fil = _fil(
                bygge,
                sokvag,
                f"fil-{handling.nummer}",
                handling.mediatyp or "application/octet-stream",
                "" if hemlig else handling.filnamn,
            )
            if handling.sha256 and fil.sha256 != handling.sha256:
                raise ArkivFel(
                    _("Filen till %(beteckning)s stämmer inte med sin kontrollsumma.")
                    % {"beteckning": handling.beteckning}
                )
            innehall.append(fil)
            per_handling[handling.pk] = (sokvag, fil.mime, fil.storlek, fil.sha256)

        _skriv(arende_xml(arende, per_handling), bygge / "content" / "arende.xml")
        metadata = _fil(bygge, "content/arende.xml", "md-arende", "text/xml")
        _skriv(premis_xml([metadata, *innehall], arende), bygge / "metadata" / "premis.xml")
        premis = _fil(bygge, "metadata/premis.xml", "md-premis", "text/xml")
        _skriv(mets_xml(arende, metadata, premis, innehall), bygge / "mets.xml")
        if slutlig.exists():
            shutil.rmtree(slutlig)
        bygge.rename(slutlig)
    except BaseException:
        shutil.rmtree(bygge, ignore_errors=True)
        raise
    return Paket(arende, slutlig, version)


def _version(pk: int) -> int:
    from arenden.diarium.services import arendets_version

    return arendets_version(Arende.objects.only("pk", "version").get(pk=pk))


def att_leverera(organ=None, fran=None, till=None, *, aven_levererade: bool = False):
    """The closed ärenden of ``organ`` closed between ``fran`` and ``till`` (inclusive) that
    the e-arkiv does not hold as they are: never delivered, or changed since (a handling
    registered after the end, a step, :func:`andrat_sedan_leverans`); every closed one with
    ``aven_levererade``."""
    final = {
        state.id
        for binding in bindings_for_model(Arende)
        for state in get_workflow(binding.workflow_id).state_list
        if state.final
    }
    qs = Arende.objects.filter(state__in=final).select_related("organ", "handlaggare")
    if organ is not None:
        qs = qs.filter(organ=organ)
    if fran is not None:
        qs = qs.filter(avslutat__gte=fran)
    if till is not None:
        qs = qs.filter(avslutat__lte=till)
    if not aven_levererade:
        senaste_steg = (
            WorkflowHistory.objects.filter(
                content_type=ContentType.objects.get_for_model(Arende), object_id=OuterRef("pk")
            )
            .order_by("-seq")
            .values("seq")[:1]
        )
        qs = qs.annotate(
            nu_version=F("version") + Coalesce(Subquery(senaste_steg), Value(0))
        ).filter(Q(levererad__isnull=True) | Q(levererad_version__lt=F("nu_version")))
    return qs.order_by("ar", "serie", "lopnummer", "delnummer")


def andrat_sedan_leverans(arende: Arende) -> bool:
    """Delivered, and changed since: the package in the e-arkiv lacks what came after. A
    delivery recorded before the version was (``levererad_version`` empty) is taken as it
    stands."""
    if arende.levererad is None or arende.levererad_version is None:
        return False
    return _version(arende.pk) > arende.levererad_version


#: the change reason of the history row that marks an ärende delivered
LEVERANS = "leverans till e-arkiv"


def kontrollera_leverantor(user) -> None:
    """The ärende's history names who delivered it: refused with :class:`ArkivFel` unless
    ``user`` has the archive's care (:func:`arenden.arkiv.models.utan_arkivvard`)."""
    if avslag := utan_arkivvard(user, _("leverera till e-arkivet")):
        raise ArkivFel(avslag)


def markera_levererat(paket: Paket, *, user, dag: datetime.date | None = None) -> None:
    """Record that ``user`` delivered the ärende of ``paket`` to the e-arkiv as the package
    holds it (the ärende's field history names them, with the reason :data:`LEVERANS`): under
    the ärende's row lock, so no change lands between the question and the mark. Refused
    (:class:`ArkivFel`), and nothing marked, when the ärende changed while the package was
    built (a handling registered, a step such as Återöppna): the package lacks it, and
    marking it delivered would leave what came after out of the archive for good. Build it
    again."""
    from arenden.diarium.services import arendets_version

    arende = paket.arende
    kontrollera_leverantor(user)
    with transaction.atomic(), acting_as(user):
        last = Arende.objects.select_for_update().get(pk=arende.pk)
        if arendets_version(last) != paket.version or not ar_stangt(last):
            raise ArkivFel(
                _(
                    "%(dnr)s ändrades medan paketet byggdes (%(status)s) och är inte markerat "
                    "som levererat."
                )
                % {"dnr": last.diarienummer, "status": last.status_titel}
            )
        last.levererad = dag or timezone.localdate()
        last.levererad_version = paket.version
        last._history_user = user
        last._change_reason = LEVERANS
        last.save(update_fields=["levererad", "levererad_version"])
    arende.levererad, arende.levererad_version = last.levererad, last.levererad_version


__all__ = [
    "ArkivFel",
    "LEVERANS",
    "Paket",
    "SCHEMAN",
    "att_leverera",
    "bygg_paket",
    "andrat_sedan_leverans",
    "kontrollera_leverantor",
    "markera_levererat",
    "validera",
]
