"""The documents the administration sends out, drawn from the data: kallelse with
föredragningslista, protokoll, protokollsutdrag and tjänsteskrivelse, each as PDF and as DOCX
(Swedish administrations edit in Word).

A document is first built as a plain :class:`Dokument` (a heading and a list of blocks), then
written out by one of two writers: the same content, whichever the format. The public version
(``publik=True``) masks what is sekretess-marked and says under which lagrum (OSL 5 kap. 5 §).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from arenden.diarium.models import Arende, Handling
from arenden.gemensamt.utskick import Utskick
from arenden.organisation.models import Organ
from arenden.sammantraden.models import Deltagare, Punkt, Sammantrade, Tjanstgoring
from flows.namn import SammantradeSteg
from workflow.engine import history

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMAT = {"pdf": PDF, "docx": DOCX}


@dataclass
class Block:
    """``rubrik`` (a heading), ``text`` (paragraphs, one per line break pair) or ``lista``
    (one line per entry)."""

    typ: str
    text: str = ""
    rader: list[str] = field(default_factory=list)
    niva: int = 2


@dataclass
class Dokument:
    titel: str
    #: (label, value) lines under the title: organ, datum, plats, diarienummer …
    huvud: list[tuple[str, str]]
    block: list[Block]
    filnamn: str
    #: where it comes from: (kind, id, masked) as :func:`fran_kalla` reads it again; what a
    #: worker is told instead of the content (arenden.dokument.jobb)
    kalla: tuple[str, int, bool] | None = None

    def samma_innehall(self, annan: Dokument) -> bool:
        """The same text as ``annan``: a masked version that masked nothing is the full one.
        Asked of the code that masks, so no second list of what is secret is kept elsewhere."""
        return (self.titel, self.huvud, self.block) == (annan.titel, annan.huvud, annan.block)


def _rubrik(text, niva=2) -> Block:
    return Block("rubrik", text=text, niva=niva)


def _text(text) -> Block | None:
    return Block("text", text=text.strip()) if text and text.strip() else None


def _lista(rubrik, rader) -> list[Block]:
    rader = [r for r in rader if r]
    return [_rubrik(rubrik, 3), Block("lista", rader=rader)] if rader else []


def _dag(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _tid(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _maskerat(lagrum: str) -> str:
    return _("Uppgifterna omfattas av sekretess enligt %(lagrum)s.") % {"lagrum": lagrum}


# -- meetings -------------------------------------------------------------------------------


def med_allt(sammantrade: Sammantrade) -> Sammantrade:
    """The sammanträde with everything its documents show, in a fixed number of queries."""
    return (
        Sammantrade.objects.select_related("organ", "arende")
        .prefetch_related(
            Prefetch(
                "deltagare",
                queryset=Deltagare.objects.select_related(
                    "person__enhet", "ersatter", "anslot_fran", "lamnade_efter"
                ).prefetch_related(
                    "franvarande_pa",
                    "ersatt_i",
                    # what Deltagare.deltar_i reads, with what the närvaro prints of it
                    Prefetch(
                        "tjanstgoringar",
                        queryset=Tjanstgoring.objects.select_related("punkt", "ledamot__person"),
                    ),
                ),
            ),
            Prefetch(
                "punkter",
                queryset=Punkt.objects.select_related(
                    "arende", "forslag_till", "beslutet", "aterremiss_till"
                ).prefetch_related(
                    "beslutet__uppdrag__rapportera_till",
                    "bilagor__arende",
                    "anmalda_motioner__arende__organ",
                    "strukna_motioner__arende__organ",
                    "jav__person",
                    "reservationer__person",
                    "yttranden",
                    "yrkanden__yrkande_av",
                    "voteringar__roster__person",
                    "voteringar__deltog__person",
                    "rattelser__user__person",
                    "rattelser__signaturer__person",
                    Prefetch(
                        "tjanstgoringar",
                        queryset=Tjanstgoring.objects.select_related(
                            "ersattare__person", "ledamot__person"
                        ),
                    ),
                ),
            ),
            "justeringar__person",
            "rattelser__punkt",
            "rattelser__user__person",
            "rattelser__signaturer__person",
            "kallelsemottagare__person",
            # whether the kallelse's e-mail left, not the e-mail with its attachment
            Prefetch(
                "kallelsemottagare__utskick",
                Utskick.objects.only("pk", "forsok", "skickad"),
            ),
        )
        .get(pk=sammantrade.pk)
    )


def punkt_rubrik(punkt: Punkt, organ: Organ, maskera: bool) -> str:
    """ "§ 130 Färdplan …" in a nämnd or styrelse; "13. Godkännande …" in a samverkansorgan,
    whose items are numbered but are not paragraphs in the sense of KL. Masked, the heading
    names the lagrum instead of the matter."""
    rubrik = punkt.rubrik
    if maskera:
        rubrik = _("Sekretess enligt %(lagrum)s") % {"lagrum": punkt.arende.sekretess_lagrum}
    if organ.typ == Organ.Typ.SAMVERKANSORGAN or punkt.paragraf is None:
        # an item is a paragraph only once the protokoll is drawn up and numbers it
        return f"{punkt.beteckning}. {rubrik}"
    return f"§ {punkt.beteckning} {rubrik}"


def _beskrivning(punkt: Punkt) -> str:
    """The item's description; the anmälan of motioner names them as they read now."""
    if punkt.typ != Punkt.Typ.ANMALAN_MOTIONER:
        return punkt.beskrivning
    from arenden.motion.services import anmalan_text

    motioner = sorted(punkt.namnda_motioner(), key=lambda m: (m.vackt, m.pk))
    return anmalan_text(motioner) if motioner else punkt.beskrivning


def _slag(punkt: Punkt) -> str:
    if not punkt.slag:
        return ""
    slag = punkt.get_slag_display()
    if punkt.form:
        slag = f"{punkt.get_form_display()} {slag}"
    if punkt.form == Punkt.Form.SKRIFTLIGT and not punkt.foredragande:
        slag += _(", ingen föredragning")
    return slag[:1].upper() + slag[1:]


def _underlag(punkt: Punkt, publik: bool = False) -> str:
    """The item's underlag; in the public version a secret bilaga by its marking, never its
    title (OSL 5 kap. 5 §)."""
    bilagor = [
        _("Sekretess (%(lagrum)s)") % {"lagrum": h.sekretess_enligt}
        if publik and h.hemlig
        else h.titel
        for h in punkt.bilagor.all()
    ]
    if punkt.underlag:
        bilagor.append(punkt.underlag)
    if not bilagor:
        return ""
    etikett = (
        _("Beslutsunderlag")
        if punkt.slag == Punkt.Slag.BESLUTSARENDE
        else _("Informationsunderlag")
    )
    return f"{etikett}: {'; '.join(bilagor)}"


def _paragraf(punkt: Punkt, organ: Organ, publik: bool) -> list[Block]:
    """One paragraph as the protokoll and the protokollsutdrag show it."""
    maskera = publik and punkt.ar_sekretess
    block = [_rubrik(punkt_rubrik(punkt, organ, maskera))]
    if punkt.arende_id:
        block.append(_text(str(punkt.arende.diarienummer)))
    if maskera:
        block.append(_text(_maskerat(punkt.arende.sekretess_lagrum)))
        return [b for b in block if b]
    block += [
        _text(_slag(punkt)),
        _text(_underlag(punkt, publik)),
        _text(_("Föredragande: %(vem)s") % {"vem": punkt.foredragande})
        if punkt.foredragande
        else None,
        _text(_beskrivning(punkt)),
    ]
    for jav in punkt.jav.all():
        block.append(
            _text(
                _("%(vem)s deltar inte i handläggningen av ärendet på grund av jäv.")
                % {"vem": jav.person}
            )
        )
    for tjanstgoring in punkt.tjanstgoringar.all():
        block.append(_text(tjanstgoring_text(tjanstgoring, punkt, organ)))
    if punkt.forslag_till_beslut:
        block += [_rubrik(_("Förslag till beslut"), 3), _text(punkt.forslag_till_beslut)]
    for yrkande in punkt.yrkanden.all():
        block.append(
            _text(_("%(vem)s yrkar: %(text)s") % {"vem": yrkande.yrkande_av, "text": yrkande.text})
        )
    for votering in punkt.voteringar.all():
        block += _votering(votering)
    if punkt.beslut or punkt.utfall:
        block += _beslut(punkt)
    for reservation in punkt.reservationer.all():
        rad = _("%(vem)s reserverar sig mot beslutet.") % {"vem": reservation.person}
        block.append(_text(f"{rad} {reservation.motivering}".strip()))
    for yttrande in punkt.yttranden.all():
        inledning = (
            _("%(vem)s lämnar följande anteckning till protokollet:")
            if yttrande.typ == yttrande.Typ.SARSKILT_YTTRANDE
            else _("%(vem)s lämnar följande protokollsanteckning:")
        ) % {"vem": yttrande.avgivet_av}
        block += [
            _rubrik(yttrande.get_typ_display().capitalize(), 3),
            _text(f"{inledning}\n\n{yttrande.text}"),
        ]
    if punkt.omedelbart_justerad:
        block.append(_text(_("Paragrafen förklarades omedelbart justerad.")))
    for rattelse in punkt.rattelser.all():
        if rattelse.giltig is not None:
            block.append(_text(_("Rättelse %(om)s") % {"om": rattelse_text(rattelse)}))
    return [b for b in block if b]


def _votering(votering) -> list[Block]:
    """The votering as the protokoll records it: an open one with its voteringslista when it
    was by name; a sluten one (a val, KL 5 kap. 55 §, 6 kap. 33 §) with who took part and the
    totals only."""
    tal = {
        "prop": votering.proposition,
        "ja": votering.ja,
        "nej": votering.nej,
        "avstar": votering.avstar,
        "res": votering.resultat,
    }
    if votering.slag == votering.Slag.SLUTEN:
        return [
            _text(
                _(
                    "Sluten omröstning vid val: %(prop)s. Ja %(ja)s, nej %(nej)s, avstår "
                    "%(avstar)s. %(res)s"
                )
                % tal
            ),
            _text(
                _("Deltog i omröstningen: %(vem)s.")
                % {"vem": ", ".join(_person(d.person) for d in votering.deltog.all())}
            ),
        ]
    block = [
        _text(_("Votering: %(prop)s. Ja %(ja)s, nej %(nej)s, avstår %(avstar)s. %(res)s") % tal)
    ]
    roster = list(votering.roster.all())
    if roster:
        block += _lista(
            _("Voteringslista"),
            [f"{_person(r.person)}: {r.get_rost_display()}" for r in roster],
        )
    return block


def _person(person) -> str:
    return f"{person.namn} ({person.parti})" if person.parti else person.namn


def _beslut(punkt: Punkt) -> list[Block]:
    """The beslut as written; for återremiss and bordläggning the motivering (KL 5 kap. 50–51
    §§), said once: the sentence is the system's only when the sekreterare wrote none; and
    the uppdrag the beslut gives, with whom they report to and when."""
    if punkt.utfall == Punkt.Utfall.EJ_BESLUTFORT:
        return [
            _rubrik(_("Ej behandlat"), 3),
            _text(_("Ärendet behandlades inte: %(skal)s.") % {"skal": punkt.motivering}),
        ]
    block = [_rubrik(_("Beslut"), 3), _text(punkt.beslut)]
    if punkt.utfall in (Punkt.Utfall.ATERREMISS, Punkt.Utfall.BORDLAGGNING):
        if punkt.beslut.strip():
            block.append(_text(_("Motivering: %(motivering)s") % {"motivering": punkt.motivering}))
        else:
            if punkt.utfall == Punkt.Utfall.ATERREMISS:
                mening = _("Ärendet återremitteras till %(organ)s") % {
                    "organ": punkt.aterremiss_till.namn if punkt.aterremiss_till else ""
                }
            else:
                mening = _("Ärendet bordläggs")
            if punkt.minoritet:
                mening += " " + _(
                    "på begäran av en minoritet (%(begard)s ledamöter, KL 5 kap. 51 §)"
                ) % {"begard": punkt.begard_av}
            block.append(
                _text(
                    _("%(mening)s. Motivering: %(motivering)s")
                    % {"mening": mening, "motivering": punkt.motivering}
                )
            )
    if punkt.beslutet is not None:
        block += _lista(
            _("Uppdrag"),
            [
                _("%(uppdrag)s Återrapporteras till %(organ)s senast %(dag)s.")
                % {
                    "uppdrag": u.beskrivning.strip(),
                    "organ": u.rapportera_till.namn,
                    "dag": _dag(u.forfaller),
                }
                for u in punkt.beslutet.uppdrag.all()
            ],
        )
    return block


def _namn(d: Deltagare) -> str:
    """ "Carin Nilsson (s) Umeå kommun"; a tjänsteperson with title."""
    person = d.person
    if d.ar_tjansteperson:
        return f"{person.namn}, {person.titel}" if person.titel else person.namn
    rad = person.namn
    if person.parti:
        rad += f" ({person.parti})"
    if d.foretrader:
        rad += f" {d.foretrader}"
    return rad


def tjanstgoring_text(tjanstgoring, punkt: Punkt, organ: Organ) -> str:
    """ "Ersättare Anna Berg (s) tjänstgör för Bo Ek (s) i § 5.": who served for whom in
    one paragraph (KL 5 kap. 17 §, 6 kap. 16 §), the item named as the protokoll numbers it
    now; ``punkt`` is the row's item, given as read with it."""
    return _("Ersättare %(ersattare)s tjänstgör för %(ledamot)s i %(punkt)s.") % {
        "ersattare": _person(tjanstgoring.ersattare.person),
        "ledamot": _person(tjanstgoring.ledamot.person),
        "punkt": _i_punkt(punkt, organ),
    }


def _i_punkt(punkt: Punkt, organ: Organ) -> str:
    """ "§ 5" once the protokoll has numbered the paragraphs (in an organ whose items are
    paragraphs, :func:`punkt_rubrik`), "punkt 5" before."""
    if organ.typ == Organ.Typ.SAMVERKANSORGAN or punkt.paragraf is None:
        return _("punkt %(n)s") % {"n": punkt.beteckning}
    return f"§ {punkt.beteckning}"


def narvaro_andringar(d: Deltagare) -> list[str]:
    """ "frånvarande på punkt 4, 6", "anslöt från punkt 5", "lämnade efter punkt 9", "tjänstgör
    för Bo Ek på punkt 5": the items named as the protokoll numbers them now (§ numbers once
    it is drawn up), then the anteckning word for word."""
    delar = []
    if d.roll == Deltagare.Roll.ERSATTARE and d.ersatter_id is None:
        per_ledamot: dict[str, list[str]] = {}
        for t in sorted(d.tjanstgoringar.all(), key=lambda t: (t.punkt.ordning, t.punkt.pk)):
            per_ledamot.setdefault(t.ledamot.person.namn, []).append(t.punkt.beteckning)
        for vem, punkter in per_ledamot.items():
            delar.append(
                _("tjänstgör för %(vem)s på punkt %(punkt)s")
                % {"vem": vem, "punkt": ", ".join(punkter)}
            )
    franvarande = sorted(d.franvarande_pa.all(), key=lambda p: (p.ordning, p.pk))
    if franvarande:
        delar.append(
            _("frånvarande på punkt %(punkt)s")
            % {"punkt": ", ".join(p.beteckning for p in franvarande)}
        )
    if d.anteckning:
        delar.append(d.anteckning)
    if d.anslot_fran:
        delar.append(_("anslöt från punkt %(punkt)s") % {"punkt": d.anslot_fran.beteckning})
    if d.lamnade_efter:
        delar.append(_("lämnade efter punkt %(punkt)s") % {"punkt": d.lamnade_efter.beteckning})
    return delar


def _deltagare_rad(d: Deltagare) -> str:
    """One line of the närvaro, as seed 004 writes it."""
    rad = _namn(d)
    if d.ar_tjansteperson:
        return rad
    delar = []
    if d.roll in (Deltagare.Roll.ORDFORANDE, Deltagare.Roll.VICE_ORDFORANDE):
        delar.append(d.get_roll_display())
    if d.justerare:
        delar.append(_("tillika justerare") if delar or d.ersatter_id else _("justerare"))
    if d.ersatter_id:
        delar.append(_("ersätter %(vem)s") % {"vem": d.ersatter.namn})
    delar += narvaro_andringar(d)
    return f"{rad}, {', '.join(delar)}" if delar else rad


def _huvud(sammantrade: Sammantrade) -> list[tuple[str, str]]:
    tid = sammantrade.tid
    huvud = []
    if sammantrade.arende_id:
        huvud.append((_("Diarienummer"), str(sammantrade.arende.diarienummer)))
    huvud += [(_("Datum och tid"), tid), (_("Plats"), sammantrade.plats)]
    return huvud


def _narvaro(sammantrade: Sammantrade) -> list[Block]:
    deltagare = list(sammantrade.deltagare.all())
    ledamoter = [d for d in deltagare if not d.ar_tjansteperson]
    return [
        *_lista(_("Närvarande"), [_deltagare_rad(d) for d in ledamoter if d.narvarande]),
        *_lista(_("Frånvarande"), [_deltagare_rad(d) for d in ledamoter if not d.narvarande]),
        *_lista(
            _("Tjänstepersoner"),
            [_deltagare_rad(d) for d in deltagare if d.ar_tjansteperson and d.narvarande],
        ),
    ]


def _underskrifter(sammantrade: Sammantrade, sekreterare: str) -> list[Block]:
    """Who keeps the protokoll and who signs it: the ordförande and the justerare present,
    each with the time they justerade, or "ej justerat" (KL 5 kap. 69 §)."""
    signerat = {j.person_id: j for j in sammantrade.justeringar.all()}
    rader = [_("Vid protokollet: %(vem)s") % {"vem": sekreterare}] if sekreterare else []
    for d in sammantrade.deltagare.all():
        if not d.narvarande or d.ar_tjansteperson:
            continue
        if d.roll == Deltagare.Roll.ORDFORANDE:
            uppgift = _("Ordförande")
        elif d.justerare:
            uppgift = _("Justerare")
        else:
            continue
        justering = signerat.get(d.person_id)
        rader.append(
            _("%(uppgift)s: %(vem)s, %(nar)s")
            % {
                "uppgift": uppgift,
                "vem": d.person.namn,
                "nar": _("justerade %(tid)s") % {"tid": _tid(justering.tidpunkt)}
                if justering
                else _("ej justerat"),
            }
        )
    return _lista(_("Underskrifter"), rader)


def _anslagsbevis(sammantrade: Sammantrade, punkter: list[Punkt]) -> list[Block]:
    """KL 8 kap. 12 §: the justering is announced on the anslagstavla, which says which
    protokoll, when it went up, when it comes down (not before the time for
    laglighetsprövning, KL 13 kap. 5 §, is over) and where the protokoll is kept."""
    if not sammantrade.anslaget:
        return []
    ned = sammantrade.overklagande_senast + datetime.timedelta(days=1)
    forvaring = _("diariet för %(organ)s") % {"organ": sammantrade.organ.namn}
    if sammantrade.arende_id:
        forvaring += f", {sammantrade.arende.diarienummer}"
    rader = [
        _(
            "Anslaget på den digitala anslagstavlan %(dag)s. Sista dag för överklagande "
            "(laglighetsprövning) %(sista)s."
        )
        % {"dag": _dag(sammantrade.anslaget), "sista": _dag(sammantrade.overklagande_senast)},
        _("Protokoll från sammanträdet %(datum)s, %(omfang)s.")
        % {"datum": _dag(sammantrade.datum), "omfang": _omfang(punkter)},
        _("Anslaget tas ned tidigast %(dag)s.") % {"dag": _dag(ned)},
        _("Protokollet förvaras i %(var)s.") % {"var": forvaring},
    ]
    return _lista(_("Anslagsbevis"), rader)


def _justering(sammantrade: Sammantrade, punkter: list[Punkt], sekreterare: str) -> list[Block]:
    return _underskrifter(sammantrade, sekreterare) + _anslagsbevis(sammantrade, punkter)


def _omfang(punkter: list[Punkt]) -> str:
    """ "§§ 13–28", "§ 130"."""
    if not punkter:
        return ""
    forsta, sista = punkter[0].beteckning, punkter[-1].beteckning
    return f"§ {forsta}" if forsta == sista else f"§§ {forsta}–{sista}"


def _sekreterare(sammantrade: Sammantrade) -> str:
    """Who drew up the protokoll (the step *genomför* in the history), by name."""
    if not hasattr(sammantrade, "_sekreterare"):
        steg = history(sammantrade).filter(transition=SammantradeSteg.GENOMFOR).last()
        namn = ""
        if steg is not None:
            namn = steg.actor.get_full_name() if steg.actor else ""
            namn = namn or steg.actor_name
        sammantrade._sekreterare = namn
    return sammantrade._sekreterare


def _ej_justerat(sammantrade: Sammantrade) -> list[tuple[str, str]]:
    return [] if sammantrade.justerat else [(_("Status"), _("Ej justerat"))]


def rattelse_text(rattelse) -> str:
    """ "2025-11-20 14.05 (skriven av A, signerad av B och C): text" — a rättelse in effect,
    with its author and those who signed it (FL 36 §)."""
    signerad = [s.person.namn for s in rattelse.signaturer.all()]
    return _("%(tid)s (skriven av %(vem)s, signerad av %(signerad)s): %(text)s") % {
        "tid": _tid(rattelse.giltig),
        "vem": rattelse.forfattare,
        "signerad": _(" och ").join(signerad) if len(signerad) < 3 else ", ".join(signerad),
        "text": rattelse.text,
    }


def _utan_paragraf_rattelser(sammantrade: Sammantrade) -> list[Block]:
    return _lista(
        _("Rättelser"),
        [
            rattelse_text(r)
            for r in sammantrade.rattelser.all()
            if r.punkt_id is None and r.giltig is not None
        ],
    )


def _filnamn(*delar) -> str:
    text = "-".join(str(d) for d in delar if d)
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)


def protokoll(sammantrade: Sammantrade, *, publik: bool = False) -> Dokument:
    s = med_allt(sammantrade)
    punkter = list(s.punkter.all())
    huvud = _huvud(s)
    if punkter:
        forsta, sista = punkter[0].beteckning, punkter[-1].beteckning
        huvud.append(
            (
                _("Paragrafer") if s.organ.typ != Organ.Typ.SAMVERKANSORGAN else _("Ärenden"),
                forsta if forsta == sista else f"{forsta}-{sista}",
            )
        )
    huvud += _ej_justerat(s)
    block = _narvaro(s)
    for punkt in punkter:
        block += _paragraf(punkt, s.organ, publik)
    block += _justering(s, punkter, _sekreterare(s)) + _utan_paragraf_rattelser(s)
    return Dokument(
        titel=_("Protokoll %(organ)s") % {"organ": s.organ.namn},
        huvud=huvud,
        block=block,
        filnamn=_filnamn("protokoll", s.organ.kod, _dag(s.datum), "publik" if publik else ""),
        kalla=("protokoll", s.pk, publik),
    )


def protokollsutdrag(
    punkt: Punkt,
    *,
    publik: bool = False,
    sammantrade: Sammantrade | None = None,
    rattad: datetime.datetime | None = None,
) -> Dokument:
    """``sammantrade``: the meeting already read by :func:`med_allt`, when there is one.
    ``rattad``: when a rättelse of the paragraph took effect (FL 36 §); the utdrag of the
    rättat protokoll says so in its title, beside the earlier utdrag, which is kept."""
    s = sammantrade or med_allt(Sammantrade(pk=punkt.sammantrade_id))
    punkt = next(p for p in s.punkter.all() if p.pk == punkt.pk)
    huvud = [(_("Organ"), s.organ.namn), (_("Sammanträdesdatum"), _dag(s.datum))]
    if rattad is not None:
        huvud.append((_("Rättat"), _tid(rattad)))
    # a paragraph justerad at once is justerad before the protokoll (KL 5 kap. 69 §)
    huvud += [] if punkt.omedelbart_justerad else _ej_justerat(s)
    block = _paragraf(punkt, s.organ, publik) + _justering(s, [punkt], _sekreterare(s))
    if s.justerat:
        # the utdragsbestyrkande: who vouches that the extract is true to the protokoll
        sekreterare = _sekreterare(s)
        block.append(
            _text(
                _("Utdraget bestyrks: %(vem)s, %(dag)s")
                % {"vem": sekreterare, "dag": _dag(timezone.localdate(s.justerat))}
                if sekreterare
                else _("Utdraget bestyrks.")
            )
        )
    titel, rattat = _("Protokollsutdrag"), ""
    if rattad is not None:
        dag = _dag(timezone.localdate(rattad))
        titel = _("Protokollsutdrag § %(n)s, rättat %(dag)s") % {"n": punkt.beteckning, "dag": dag}
        rattat = f"rattat-{timezone.localtime(rattad):%Y-%m-%d-%H%M%S}"
    return Dokument(
        titel=titel,
        huvud=huvud,
        block=block,
        filnamn=_filnamn("protokollsutdrag", s.organ.kod, _dag(s.datum), punkt.beteckning, rattat),
        kalla=("protokollsutdrag", punkt.pk, publik),
    )


def _installt(s: Sammantrade) -> list[Block]:
    """What the kallelse to an inställt meeting says first: that the meeting is inställt, and
    since which day. Never the nämndsekreterare's reason: it may be secret (a ledamot's
    illness) and a document travels; the meeting's page and the portal show it to who may
    read it, as the notice e-mail leaves it out (OSL 5 kap. 5 §)."""
    if not s.installt:
        return []
    return [
        _rubrik(_("Sammanträdet är inställt")),
        _text(
            _(
                "Sammanträdet med %(organ)s den %(datum)s är inställt och hålls inte. Det "
                "ställdes in %(dag)s. Kallelsen nedan gäller inte längre; ärendena på "
                "föredragningslistan är strukna och kan anmälas till ett annat sammanträde."
            )
            % {
                "organ": s.organ.namn,
                "datum": _dag(s.datum),
                "dag": _dag(timezone.localdate(s.installt)),
            }
        ),
    ]


def kallelse(sammantrade: Sammantrade, *, publik: bool = False) -> Dokument:
    """The kallelse with the föredragningslista as it reads now; once the meeting is inställt
    it says so first, in its title and its heading, and marks the struck items. A copy made
    before (a worker's, arenden.dokument.jobb) is known by its content, so it is never handed
    out for this one; the kallelse filed in the meeting's ärende and the one e-mailed are the
    record of what was sent and stay as they were (arenden.dokument.motesfiler)."""
    s = med_allt(sammantrade)
    kallade = [
        f"{_namn(d)}, {d.get_roll_display()}"
        for d in s.deltagare.all()
        if d.roll != Deltagare.Roll.TJANSTEPERSON
    ]
    rader = []
    for punkt in s.punkter.all():
        rad = punkt_rubrik(punkt, s.organ, publik and punkt.ar_sekretess)
        if not (publik and punkt.ar_sekretess):
            detaljer = [
                str(punkt.arende.diarienummer) if punkt.arende_id else "",
                _slag(punkt),
                _("föredragande %(vem)s") % {"vem": punkt.foredragande}
                if punkt.foredragande
                else "",
                _underlag(punkt, publik),
            ]
            detaljer = [d for d in detaljer if d]
            if detaljer:
                rad += f" ({'; '.join(detaljer)})"
            if punkt.forslag_till_beslut.strip():
                forslag = " ".join(punkt.forslag_till_beslut.split())
                rad += " " + _("Förslag till beslut: %(forslag)s") % {"forslag": forslag}
        if punkt.struken:
            rad += " " + _("(struken)")
        rader.append(rad)
    block = [
        *_installt(s),
        _text(
            _("Ledamöter och ersättare kallas till sammanträde med %(organ)s.")
            % {"organ": s.organ.namn}
        ),
        *_lista(_("Kallade"), kallade),
        *_lista(_("Föredragningslista"), rader),
    ]
    titel = _("Kallelse %(organ)s") % {"organ": s.organ.namn}
    huvud = _huvud(s)
    if s.installt:
        titel = _("%(titel)s – INSTÄLLT") % {"titel": titel}
        huvud.append(
            (_("Status"), _("Inställt %(dag)s") % {"dag": _dag(timezone.localdate(s.installt))})
        )
    return Dokument(
        titel=titel,
        huvud=huvud,
        block=[b for b in block if b],
        filnamn=_filnamn("kallelse", s.organ.kod, _dag(s.datum)),
        kalla=("kallelse", s.pk, publik),
    )


# -- tjänsteskrivelse -------------------------------------------------------------------------


def underlag(arende: Arende):
    """The handlingar the tjänsteskrivelse lists as its beslutsunderlag."""
    return arende.handlingar.filter(typ=Handling.Typ.BESLUTSUNDERLAG)


def tjansteskrivelsens_sekretess(arende: Arende) -> str:
    """The lagrum the tjänsteskrivelse in full is secret under: the ärende's, else that of a
    secret underlag whose title it lists; empty when nothing in it is secret."""
    if arende.sekretess_lagrum:
        return arende.sekretess_lagrum
    return next((h.sekretess_enligt for h in underlag(arende) if h.hemlig), "")


def tjansteskrivelse(arende: Arende, *, publik: bool = False) -> Dokument:
    """The tjänsteskrivelse; ``publik``: for who may not read the ärende's secret content
    (a secret ärende masked, a secret underlag by its marking)."""
    skrivelse = arende.tjansteskrivelse
    huvud = [
        (_("Datum"), _dag(skrivelse.datum)),
        (_("Författare"), skrivelse.forfattare.namn),
        (_("Enhet"), str(skrivelse.enhet) if skrivelse.enhet_id else ""),
        (_("Diarienummer"), str(arende.diarienummer)),
    ]
    rubrik = arende.arendemening
    if publik and arende.ar_sekretessmarkerat:
        rubrik = arende.publik_rubrik
    block = [_rubrik(rubrik)]
    if publik and arende.ar_sekretessmarkerat:
        block.append(_text(_maskerat(arende.sekretess_lagrum)))
    else:
        for sektion, text in skrivelse.sektioner():
            if text:
                block += [_rubrik(str(sektion), 3), _text(text)]
        block += _lista(
            _("Beredningsansvariga"),
            [
                # as seed 001 writes it: "Stabschef Yvonne Nygren … har varit delaktig i …"
                capfirst(
                    _("%(vem)s har varit %(del)s.")
                    % {
                        "vem": f"{b.person.titel} {b.person.namn}".strip(),
                        "del": b.del_i_beredningen,
                    }
                )
                for b in arende.beredningsansvariga.select_related("person")
            ],
        )
        block += _lista(
            _("Beslutsunderlag"),
            # an underlag may be secret in an ärende that is not (OSL 5 kap. 5 §)
            [h.maskerad_titel if publik and h.hemlig else h.titel for h in underlag(arende)],
        )
        block += _lista(
            _("Beslutet expedieras till"),
            [str(m) for m in arende.mottagare.select_related("person__enhet", "enhet")],
        )
    return Dokument(
        titel=_("Tjänsteskrivelse"),
        huvud=[(e, v) for e, v in huvud if v],
        block=[b for b in block if b],
        filnamn=_filnamn("tjansteskrivelse", arende.serie, arende.lopnummer, arende.ar),
        kalla=("tjansteskrivelse", arende.pk, publik),
    )


# -- a beslut on the nämnd's behalf ----------------------------------------------------------


def beslut_pa_vagnar(beslut, *, publik: bool = False) -> Dokument:
    """The beslut a delegat (KL 6 kap. 37 §) or the ordförande in a brådskande ärende (KL 6
    kap. 39 §) took on the nämnd's behalf: who decided, under which row of the
    delegationsordning and lagrum (FL 31 §: the beslut names who took it), what was decided,
    and that it is anmält to the nämnd (KL 6 kap. 40 §). ``publik``: for who may not read the
    ärende's secret content. Drawn up before the beslut is saved: it is filed with it."""
    arende, punkt = beslut.arende, beslut.delegationspunkt
    beslutsfattare = beslut.fattat_av.person if beslut.fattat_av_id else None
    huvud = [
        (_("Datum"), _dag(beslut.datum)),
        (_("Diarienummer"), str(arende.diarienummer)),
        (_("Nämnd"), beslut.organ.namn),
        (
            _("Beslutsfattare"),
            ", ".join(d for d in (beslutsfattare.namn, beslutsfattare.titel) if d)
            if beslutsfattare
            else "",
        ),
        (
            _("Delegationsordningen"),
            _("punkt %(nummer)s, %(omrade)s")
            % {"nummer": punkt.nummer, "omrade": punkt.beslutsomrade}
            if punkt
            else "",
        ),
        (_("Lagrum"), beslut.lagrum),
    ]
    maskera = publik and arende.ar_sekretessmarkerat
    block = [_rubrik(arende.publik_rubrik if maskera else arende.arendemening)]
    if maskera:
        block.append(_text(_maskerat(arende.sekretess_lagrum)))
    else:
        block += [_rubrik(_("Beslut"), 3), _text(beslut.text)]
    block.append(
        _text(
            _("Beslutet anmäls till %(organ)s (kommunallagen 6 kap. 40 §).")
            % {"organ": beslut.organ.namn}
        )
    )
    return Dokument(
        titel=capfirst(beslut.get_slag_display()),
        huvud=[(e, v) for e, v in huvud if v],
        block=[b for b in block if b],
        filnamn=_filnamn(
            beslut.slag, arende.serie, arende.lopnummer, arende.ar, _dag(beslut.datum)
        ),
    )


#: kind → how a worker reads the document again from its id (:func:`fran_kalla`)
_KALLOR = {
    "protokoll": lambda pk, publik: protokoll(Sammantrade(pk=pk), publik=publik),
    "kallelse": lambda pk, publik: kallelse(Sammantrade(pk=pk), publik=publik),
    "protokollsutdrag": lambda pk, publik: protokollsutdrag(
        Punkt.objects.get(pk=pk), publik=publik
    ),
    "tjansteskrivelse": lambda pk, publik: tjansteskrivelse(
        Arende.objects.select_related("tjansteskrivelse__forfattare").get(pk=pk), publik=publik
    ),
}


def fran_kalla(slag: str, pk: int, publik: bool) -> Dokument:
    """The document of kind ``slag`` and id ``pk`` (masked when ``publik``), read from the
    database as it is now; LookupError for an unknown kind or a source that is gone."""
    from django.core.exceptions import ObjectDoesNotExist

    if slag not in _KALLOR:
        raise LookupError(slag)
    try:
        return _KALLOR[slag](pk, bool(publik))
    except ObjectDoesNotExist as err:
        raise LookupError(slag) from err


# -- the two writers --------------------------------------------------------------------------


#: the PDF the system keeps: PDF/A-2u (ISO 19005-2, level u: every text extractable as
#: Unicode), the archival format Riksarkivet takes for document files (RA-FS 2009:2), with
#: its fonts embedded and its XMP metadata naming the part and conformance
PDF_VARIANT = "pdf/a-2u"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
_PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"


def _pdfua_identifiering(document, pdf) -> None:
    """WeasyPrint's ``finisher``: PDF/UA-1 (ISO 14289-1, 5) named beside PDF/A-2u.

    WeasyPrint 70 writes one variant's identification: ``pdf_variant`` is either
    ``pdf/a-2u`` or ``pdf/ua-1``, and its ``xmp_metadata`` option adds a second ``rdf:RDF``
    after the first, which XMP readers do not read. So the XMP it wrote for PDF/A-2u gets
    ``pdfuaid:part="1"`` in the same description as ``pdfaid:part``, and, because PDF/A-2
    allows XMP properties only from the predefined schemas or a declared extension schema
    (ISO 19005-2, 6.6.2.3), the pdfuaid schema declared as a PDF/A extension schema. The
    rest PDF/UA-1 asks of the file WeasyPrint writes with ``pdf_tags``: the structure tree,
    /MarkInfo Marked, /Lang, the title in dc:title and /DisplayDocTitle."""
    from lxml import etree

    nummer = int(pdf.catalog["Metadata"].split()[0])  # a reference, b"12 0 R"
    strom = pdf.objects[nummer]
    rot = etree.fromstring(b"".join(strom.stream))
    rdf = rot.find(f"{{{_RDF}}}RDF")
    pdfa = next(d for d in rdf.iter(f"{{{_RDF}}}Description") if d.get(f"{{{_PDFAID}}}part"))
    # the same description, with the prefix pdfuaid declared (the schema below names it)
    identifiering = etree.Element(pdfa.tag, dict(pdfa.attrib), nsmap={"pdfuaid": _PDFUAID})
    identifiering.set(f"{{{_PDFUAID}}}part", "1")
    pdfa.getparent().replace(pdfa, identifiering)

    def under(parent, ns, tag, text=None, **attrib):
        el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
        el.text = text
        return el

    schemat = etree.SubElement(
        rdf,
        f"{{{_RDF}}}Description",
        {f"{{{_RDF}}}about": ""},
        nsmap={
            "pdfaExtension": _PDFA_EXTENSION,
            "pdfaSchema": _PDFA_SCHEMA,
            "pdfaProperty": _PDFA_PROPERTY,
        },
    )
    resurs = {f"{{{_RDF}}}parseType": "Resource"}
    li = under(under(under(schemat, _PDFA_EXTENSION, "schemas"), _RDF, "Bag"), _RDF, "li", **resurs)
    under(li, _PDFA_SCHEMA, "schema", "PDF/UA Universal Accessibility Schema")
    under(li, _PDFA_SCHEMA, "namespaceURI", _PDFUAID)
    under(li, _PDFA_SCHEMA, "prefix", "pdfuaid")
    egenskap = under(under(under(li, _PDFA_SCHEMA, "property"), _RDF, "Seq"), _RDF, "li", **resurs)
    under(egenskap, _PDFA_PROPERTY, "name", "part")
    under(egenskap, _PDFA_PROPERTY, "valueType", "Integer")
    under(egenskap, _PDFA_PROPERTY, "category", "internal")
    under(egenskap, _PDFA_PROPERTY, "description", "Part of ISO 14289 the file conforms to")
    strom.stream = [
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n',
        etree.tostring(rot, encoding="utf-8"),
        b'\n<?xpacket end="r"?>',
    ]


def som_upprattad_handling(dokument: Dokument, arende) -> dict:
    """What :func:`arenden.diarium.services.arkivera_handling` takes to file ``dokument``,
    drawn up by the system in ``arende``, as a PDF handling upprättad there: titled so that
    the diarium never shows a protected rubrik, and its file."""
    filnamn = f"{dokument.filnamn}.pdf"
    return {
        "riktning": Handling.Riktning.UPPRATTAD,
        "titel": f"{dokument.titel} {arende.publik_rubrik}",
        "fil": ContentFile(som_pdf(dokument), name=filnamn),
        "filnamn": filnamn,
    }


def som_pdf(dokument: Dokument) -> bytes:
    """The document as a tagged PDF/A that also says it is PDF/UA: PDF/A-2u for keeping,
    and PDF/UA-1 for a screen reader (lag 2018:1937 om tillgänglighet till digital offentlig
    service): a structure tree (headings, paragraphs, lists and tables marked up as such),
    /MarkInfo Marked, /Lang sv, the title shown as the window title, and both
    identifications in its XMP metadata. DOCX (:func:`som_docx`) is the editable copy, never
    the archived one."""
    import weasyprint

    html = render_to_string("arenden/dokument.html", {"dokument": dokument})
    return weasyprint.HTML(string=html).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=_pdfua_identifiering
    )


#: characters XML 1.0 does not allow (text pasted from Word can hold them): left out of DOCX
_INTE_XML = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _xml(text: str) -> str:
    return text.translate(_INTE_XML)


def som_docx(dokument: Dokument) -> bytes:
    import docx

    doc = docx.Document()
    doc.core_properties.title = _xml(dokument.titel)
    doc.core_properties.language = "sv-SE"
    doc.add_heading(_xml(dokument.titel), level=0)
    for etikett, varde in dokument.huvud:
        rad = doc.add_paragraph()
        rad.add_run(f"{etikett}: ").bold = True
        rad.add_run(_xml(varde))
    for block in dokument.block:
        if block.typ == "rubrik":
            doc.add_heading(_xml(block.text), level=block.niva - 1)
        elif block.typ == "text":
            for stycke in block.text.split("\n\n"):
                doc.add_paragraph(_xml(stycke.strip()))
        else:
            for rad in block.rader:
                doc.add_paragraph(_xml(rad), style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def som_svar(dokument: Dokument, format: str):
    """The document as a download in ``format`` ("pdf" or "docx"); 404 for another."""
    from django.http import Http404, HttpResponse

    if format not in FORMAT:
        raise Http404(format)
    from arenden.dokument import jobb

    if dokument.kalla is not None and jobb.asynkront():
        # a worker makes it (arenden.dokument.jobb) from where it comes from, never from
        # content in the message; until then a page that says so
        nyckel = jobb.nyckel(jobb.som_data(dokument), format)
        gjort = jobb.GenereratDokument.objects.filter(nyckel=nyckel).first()
        innehall = None if gjort is None else jobb.las_intakt(gjort)
        if innehall is None:
            # asked again, the worker tries again; after failing as often as it may, the page
            # says so instead of that it is being made
            jobb.bestall(dokument, format, nyckel)
            misslyckats = jobb.kunde_inte_skapas(nyckel)
            vanta = HttpResponse(
                render_to_string(
                    "arenden/dokument_skapas.html",
                    {"filnamn": f"{dokument.filnamn}.{format}", "misslyckats": misslyckats},
                ),
                status=503 if misslyckats else 202,
            )
            vanta["Retry-After"] = "60" if misslyckats else "5"
            return vanta
    else:
        innehall = skriv(dokument, format)
    response = HttpResponse(innehall, content_type=FORMAT[format])
    response["Content-Disposition"] = f'attachment; filename="{dokument.filnamn}.{format}"'
    return response


def skriv(dokument: Dokument, format: str) -> bytes:
    if format == "pdf":
        return som_pdf(dokument)
    if format == "docx":
        return som_docx(dokument)
    raise ValueError(format)
