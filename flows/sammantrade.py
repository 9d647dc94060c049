"""The sammanträde's lifecycle: planerat → kallat → genomfört → justerat → anslaget.
A meeting that will not be held is inställt (from planerat or kallat, before it begins).

The nämndsekreterare plans the meeting, sends the kallelse with the föredragningslista,
records närvaro and beslut while the meeting is held (kallat) and draws up the protokoll when
it is over (genomfört: the paragraphs get their numbers). The ordförande and the justerare
sign; when the last one has signed the protokoll is justerat (a protokoll is upprättat when
justerat, TF 2 kap. 10 §) and nothing in it can be changed any more. The anslag on the
digital anslagstavla follows (KL 8 kap. 12 §).
"""

from arenden.organisation.roles import JUSTERARE, NAMNDSEKRETERARE, REGISTRATOR, REVISOR, STABSCHEF
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import (
    Kallelsemottagare,
    Paragrafjustering,
    Rattelse,
    Rattelsesignatur,
    Sammantrade,
)
from flows.namn import SammantradeArbetslista, SammantradeStatus, SammantradeSteg
from workflow import registry
from workflow.definitions import (
    METHOD,
    Guard,
    NewRecord,
    Requirement,
    State,
    Transition,
    Workflow,
    Worklist,
)
from workflow.signals import before_transition
from workflow.vocabulary import Vocabulary

ID = "sammantrade"

VIEW = "arenden.view_sammantrade"
CHANGE = "arenden.change_sammantrade"
JUSTERA = "arenden.justera_sammantrade"

EVERYONE = (STABSCHEF, NAMNDSEKRETERARE, REGISTRATOR, REVISOR, JUSTERARE)


def _state(id, title, description, *, change=(), justera=(), final=False):
    permissions = {VIEW: EVERYONE}
    if change:
        permissions[CHANGE] = change
    if justera:
        permissions[JUSTERA] = justera
    return State(id, title, description, permissions=permissions, final=final)


def _alla_har_justerat(sammantrade, user) -> bool:
    """Signed by an ordförande and a justerare present, and by every ordförande and
    justerare present: a protokoll is never justerat by one signature alone."""
    return (
        protokoll.har_justerande(sammantrade)
        and sammantrade.justeringar.exists()
        and not protokoll.saknar_justering(sammantrade)
    )


def _justerat_for_anslag(sammantrade, user) -> bool:
    return sammantrade.organ.anslar_protokoll and _alla_har_justerat(sammantrade, user)


def _justerat_utan_anslag(sammantrade, user) -> bool:
    return not sammantrade.organ.anslar_protokoll and _alla_har_justerat(sammantrade, user)


#: the justering is the ordförande's and the justerare's signatures; the last of them (or the
#: sekreterare, once all have signed) takes the step
JUSTERARE_OCH_SEKRETERARE = (JUSTERARE, NAMNDSEKRETERARE)
INTE_JUSTERAT = "ordföranden och alla justerare har inte justerat"


#: the states of a justerat protokoll, where a rättelse is the only change (FL 36 §)
JUSTERAT_TILLSTAND = ("justerat", "justerat_utan_anslag", "anslaget")


def _har_borjat(sammantrade) -> bool:
    return sammantrade.har_borjat


#: nothing is recorded as having happened before it happens: the protokoll of a meeting is
#: drawn up (and so justerat and anslaget) only once the meeting has begun
HAR_BORJAT = Requirement(_har_borjat, "sammanträdet har inte börjat än")


def _fort_sedan_start(model, sammantrade) -> bool:
    """Is a row of ``model`` (a record under an item: a jäv, a yttrande) there that was
    recorded since the meeting began (its history's first row)?"""
    nya = model.history.filter(history_type="+", history_date__gte=sammantrade.borjar)
    return model.objects.filter(
        punkt__sammantrade_id=sammantrade.pk, pk__in=nya.values("id")
    ).exists()


def _inget_hant(sammantrade) -> bool:
    """Not begun; or its hour has passed with nothing recorded from it: no item decided, no
    votering, no yrkande (put only at the meeting, protokoll._kräv_beslutsskede), no jäv and
    no särskilt yttrande or protokollsanteckning noted since it began (a jäv noted from a
    member's notice before the meeting says nothing of it). A meeting that did not take
    place, whose cancellation is noted afterwards."""
    if not sammantrade.har_borjat:
        return True
    from arenden.sammantraden.models import Jav, Votering, Yrkande, Yttrande

    punkter = sammantrade.punkter.all()
    return not (
        punkter.exclude(utfall="").exists()
        or Votering.objects.filter(punkt__sammantrade_id=sammantrade.pk).exists()
        or Yrkande.objects.filter(punkt__sammantrade_id=sammantrade.pk).exists()
        or _fort_sedan_start(Jav, sammantrade)
        or _fort_sedan_start(Yttrande, sammantrade)
    )


#: a meeting that was held is recorded in its protokoll (a bordläggning, an ajournering),
#: never undone by calling it inställt; one whose hour passed with nothing recorded was not
INGET_HANT = Requirement(
    _inget_hant,
    "sammanträdet har hållits: beslut, yrkanden, jäv eller yttranden från det är förda till "
    "protokollet; det som hände där förs in i protokollet (till exempel en bordläggning)",
)


def _protokollet_arkiverat(sammantrade) -> bool:
    return sammantrade.protokollfiler.exists()


#: KL 8 kap. 12 §: what is anslaget is the justerat protokoll, filed as it was justerat (made
#: off the request, arenden.dokument.arkivering); not before it is there to be read
PROTOKOLLET_ARKIVERAT = Requirement(
    _protokollet_arkiverat,
    "det justerade protokollet är ännu inte arkiverat (sammanträdets sida säger hur det går); "
    "anslå när det är arkiverat",
)


# -- what each step means: the records it needs (checked when the step is taken) -------------


def _kallade(sammantrade) -> set[int]:
    return set(
        Kallelsemottagare.objects.filter(sammantrade_id=sammantrade.pk).values_list(
            "person_id", flat=True
        )
    )


def _alla_kallade(sammantrade) -> bool:
    """Someone is recorded as kallad, and everyone the kallelse goes to
    (arenden.sammantraden.protokoll.att_kalla: the närvaro and the register on the meeting
    day) is."""
    kallade = _kallade(sammantrade)
    return bool(kallade) and {p.pk for p in protokoll.att_kalla(sammantrade)} <= kallade


def _ingen_kallad(sammantrade) -> str:
    if _kallade(sammantrade):
        return ""
    return (
        "ingen ledamot eller ersättare är antecknad som kallad till sammanträdet; kallelsen går "
        "till ledamöterna och ersättarna (kommunallagen 5 kap. 12 §, 6 kap. 17 §)"
    )


#: KL 5 kap. 12 §, 6 kap. 17 §: the kallelse goes to the ledamöter and ersättare, and whom it
#: went to is recorded (arenden.sammantraden.protokoll.kalla saves them before the step). A
#: meeting is kallat once (nothing leads back to planerat), so its rows are the kallelse's
KALLADE = Requirement(
    _alla_kallade,
    "alla ledamöter och ersättare i närvaron och i ledamotsregistret på sammanträdesdagen är "
    "inte antecknade som kallade (kommunallagen 5 kap. 12 §, 6 kap. 17 §)",
    explain=_ingen_kallad,
)


def _har_justerande(sammantrade) -> bool:
    return protokoll.har_justerande(sammantrade)


#: a protokoll nobody could justera is never upprättat: it would stay genomfört for ever
HAR_JUSTERANDE = Requirement(
    _har_justerande,
    "närvaron har ingen närvarande ordförande och justerare; protokollet justeras av "
    "ordföranden och en justerare (kommunallagen 5 kap. 69 §, 6 kap. 35 §)",
)


def _paragrafjusteringar(sammantrade):
    return Paragrafjustering.objects.filter(punkt__sammantrade_id=sammantrade.pk)


def _rattelser(sammantrade):
    return Rattelse.objects.filter(sammantrade_id=sammantrade.pk)


def _rattelser_i_kraft(sammantrade):
    return _rattelser(sammantrade).filter(giltig__isnull=False)


def _rattelsesignaturer(sammantrade):
    return Rattelsesignatur.objects.filter(rattelse__sammantrade_id=sammantrade.pk)


def _signaturer_fore_den_sista(sammantrade) -> int:
    """The signatures of the rättelser but the last of each one in effect: that one took
    *ratta*, every other one *signera_rattelse*."""
    return _rattelsesignaturer(sammantrade).count() - _rattelser_i_kraft(sammantrade).count()


#: KL 5 kap. 69 §, 6 kap. 35 §: each signature of a paragraph justerad at once
#: (arenden.sammantraden.protokoll.justera_paragraf saves it, then takes the step)
NY_PARAGRAFJUSTERING = Requirement(
    NewRecord(_paragrafjusteringar, SammantradeSteg.JUSTERA_PARAGRAF),
    "ingen paragraf har en ny omedelbar justering av ordföranden eller en justerare som "
    "historiken inte redan har (kommunallagen 5 kap. 69 §)",
)
#: FL 36 §: each rättelse proposed (arenden.sammantraden.protokoll.foresla_rattelse)
NY_RATTELSE = Requirement(
    NewRecord(_rattelser, SammantradeSteg.FORESLA_RATTELSE),
    "ingen rättelse av protokollet är föreslagen som historiken inte redan har (FL 36 §)",
)
#: each signature of a proposed rättelse but its last (arenden.sammantraden.protokoll.
#: signera_rattelse)
NY_RATTELSESIGNATUR = Requirement(
    NewRecord(_signaturer_fore_den_sista, SammantradeSteg.SIGNERA_RATTELSE),
    "ingen föreslagen rättelse har en ny signatur av ordföranden eller en justerare som "
    "historiken inte redan har (FL 36 §)",
)
#: each rättelse in effect: signed by all who justerade the protokoll, the last signature
#: takes the step
NY_RATTELSE_I_KRAFT = Requirement(
    NewRecord(_rattelser_i_kraft, SammantradeSteg.RATTA),
    "ingen rättelse av protokollet har trätt i kraft som historiken inte redan har; den "
    "gäller när ordföranden och alla justerare har signerat den (FL 36 §)",
)
#: who takes the step is whose record it accounts for: the entry is signed in their name
EGEN_PARAGRAFJUSTERING = (
    "du har ingen omedelbar justering av en paragraf som historiken inte redan har"
)
EGEN_RATTELSE = "du har inte föreslagit någon rättelse som historiken inte redan har"
EGEN_SIGNATUR = "du har inte signerat någon rättelse som historiken inte redan har"
#: a signature of a rättelse is recorded by *signera_rattelse*, or, the last, by *ratta*
EGEN_SIGNATUR_VILLKOR = NewRecord(
    _rattelsesignaturer,
    SammantradeSteg.SIGNERA_RATTELSE,
    SammantradeSteg.RATTA,
    actor_field="user_id",
)


def definition() -> Workflow:
    return Workflow(
        id=ID,
        title="Sammanträdets gång",
        roles=EVERYONE,
        initial_state=SammantradeStatus.PLANERAT,
        states=[
            _state(
                SammantradeStatus.PLANERAT,
                "Planerat",
                "Föredragningslistan byggs.",
                change=(NAMNDSEKRETERARE,),
            ),
            _state(
                SammantradeStatus.KALLAT,
                "Kallat",
                "Kallelsen är skickad; närvaro och beslut förs in under sammanträdet.",
                change=(NAMNDSEKRETERARE,),
            ),
            _state(
                SammantradeStatus.GENOMFORT,
                "Genomfört",
                "Protokollet är upprättat och väntar på justering.",
                change=(NAMNDSEKRETERARE,),
                justera=(JUSTERARE,),
            ),
            _state(
                # nothing is changed any more: no items, no närvaro, no beslut; the items
                # that were on the list stay there, struck
                SammantradeStatus.INSTALLT,
                "Inställt",
                "Sammanträdet ställdes in innan det började; ärendena på föredragningslistan "
                "ströks och kan anmälas till ett annat sammanträde.",
                final=True,
            ),
            _state(
                SammantradeStatus.JUSTERAT,
                "Justerat",
                "Ordföranden och justerarna har skrivit under; protokollet kan inte ändras.",
            ),
            _state(
                SammantradeStatus.JUSTERAT_UTAN_ANSLAG,
                "Justerat (anslås inte)",
                "Ordföranden och justerarna har skrivit under; protokollet kan inte ändras. "
                "Organet omfattas inte av kommunallagens regler om anslag och "
                "laglighetsprövning (KL 8 kap. 12 §, 13 kap. 1 §).",
                final=True,
            ),
            _state(
                SammantradeStatus.ANSLAGET,
                "Anslaget",
                "Protokollet är anslaget på den digitala anslagstavlan.",
                final=True,
            ),
        ],
        transitions=[
            Transition(
                SammantradeSteg.KALLA,
                "Skicka kallelse",
                SammantradeStatus.PLANERAT,
                SammantradeStatus.KALLAT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                requires=(KALLADE,),
                before=(protokoll.vid_kallelse,),
            ),
            Transition(
                # the meeting will not be held (cancelled, or moved: a new one is planned):
                # its undecided items are struck and their ärenden are ready for another
                # meeting (arenden.sammantraden.protokoll.vid_installelse); the comment is
                # the reason
                SammantradeSteg.INSTALLA,
                "Ställ in sammanträdet",
                (SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT),
                SammantradeStatus.INSTALLT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                comment_required=True,
                requires=(INGET_HANT,),
                before=(protokoll.vid_installelse,),
            ),
            Transition(
                SammantradeSteg.GENOMFOR,
                "Upprätta protokollet",
                SammantradeStatus.KALLAT,
                SammantradeStatus.GENOMFORT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                requires=(HAR_BORJAT, HAR_JUSTERANDE),
                before=(protokoll.numrera_paragrafer,),
            ),
            Transition(
                SammantradeSteg.JUSTERA,
                "Justera protokollet",
                SammantradeStatus.GENOMFORT,
                SammantradeStatus.JUSTERAT,
                guard=Guard(
                    roles=JUSTERARE_OCH_SEKRETERARE,
                    condition=_justerat_for_anslag,
                    condition_message=INTE_JUSTERAT,
                ),
                before=(protokoll.vid_justering,),
                # the last signature takes it (arenden.sammantraden.protokoll.justera), never a
                # button
                trigger=METHOD,
            ),
            Transition(
                # a beredning or a samverkansorgan (seed 004): justerat, never anslaget
                SammantradeSteg.JUSTERA_UTAN_ANSLAG,
                "Justera protokollet",
                SammantradeStatus.GENOMFORT,
                SammantradeStatus.JUSTERAT_UTAN_ANSLAG,
                guard=Guard(
                    roles=JUSTERARE_OCH_SEKRETERARE,
                    condition=_justerat_utan_anslag,
                    condition_message=INTE_JUSTERAT,
                ),
                before=(protokoll.vid_justering,),
                # the last signature takes it (arenden.sammantraden.protokoll.justera), never a
                # button
                trigger=METHOD,
            ),
            Transition(
                SammantradeSteg.ANSLA,
                "Anslå protokollet",
                SammantradeStatus.JUSTERAT,
                SammantradeStatus.ANSLAGET,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                requires=(PROTOKOLLET_ARKIVERAT,),
                before=(protokoll.vid_anslag,),
            ),
            Transition(
                # omedelbar justering of a single paragraph at or right after the meeting (KL 5
                # kap. 69 §, 6 kap. 35 §): each signature, by the ordförande and the justerare
                # (arenden.sammantraden.protokoll.justera_paragraf)
                "justera_paragraf",
                "Justera paragrafen omedelbart",
                ("kallat", "genomfort"),
                None,
                guard=Guard(
                    roles=(JUSTERARE,),
                    condition=NewRecord(
                        _paragrafjusteringar,
                        SammantradeSteg.JUSTERA_PARAGRAF,
                        actor_field="user_id",
                    ),
                    condition_message=EGEN_PARAGRAFJUSTERING,
                ),
                comment_required=True,
                requires=(NY_PARAGRAFJUSTERING,),
                trigger=METHOD,
            ),
            Transition(
                # a rättelse of the justerat protokoll is proposed by its author (FL 36 §)
                # beside the protokoll (arenden.sammantraden.protokoll.foresla_rattelse writes
                # the Rattelse); its text is the comment
                "foresla_rattelse",
                "Föreslå rättelse",
                JUSTERAT_TILLSTAND,
                None,
                guard=Guard(
                    roles=JUSTERARE_OCH_SEKRETERARE,
                    condition=NewRecord(
                        _rattelser, SammantradeSteg.FORESLA_RATTELSE, actor_field="user_id"
                    ),
                    condition_message=EGEN_RATTELSE,
                ),
                comment_required=True,
                requires=(NY_RATTELSE,),
                trigger=METHOD,
            ),
            Transition(
                # the ordförande or a justerare signs the proposed rättelse
                # (arenden.sammantraden.protokoll.signera_rattelse)
                "signera_rattelse",
                "Signera rättelse",
                JUSTERAT_TILLSTAND,
                None,
                guard=Guard(
                    roles=(JUSTERARE,),
                    condition=EGEN_SIGNATUR_VILLKOR,
                    condition_message=EGEN_SIGNATUR,
                ),
                comment_required=True,
                requires=(NY_RATTELSESIGNATUR,),
                trigger=METHOD,
            ),
            Transition(
                # the last signature: the rättelse takes effect and the protokoll is filed anew
                "ratta",
                "Rätta protokollet",
                JUSTERAT_TILLSTAND,
                None,
                guard=Guard(
                    roles=(JUSTERARE,),
                    condition=EGEN_SIGNATUR_VILLKOR,
                    condition_message=EGEN_SIGNATUR,
                ),
                comment_required=True,
                requires=(NY_RATTELSE_I_KRAFT,),
                trigger=METHOD,
            ),
        ],
        worklists=[
            Worklist(
                SammantradeArbetslista.ALLA_SAMMANTRADEN,
                "Sammanträden",
                (
                    SammantradeStatus.PLANERAT,
                    SammantradeStatus.KALLAT,
                    SammantradeStatus.GENOMFORT,
                    SammantradeStatus.JUSTERAT,
                    SammantradeStatus.JUSTERAT_UTAN_ANSLAG,
                    SammantradeStatus.ANSLAGET,
                    SammantradeStatus.INSTALLT,
                ),
                EVERYONE,
            ),
            Worklist(
                SammantradeArbetslista.ATT_JUSTERA,
                "Protokoll att justera",
                (SammantradeStatus.GENOMFORT,),
                (JUSTERARE,),
            ),
            Worklist(
                SammantradeArbetslista.ATT_ANSLA,
                "Protokoll att anslå",
                (SammantradeStatus.JUSTERAT,),
                (NAMNDSEKRETERARE,),
            ),
            Worklist(
                SammantradeArbetslista.KOMMANDE_SAMMANTRADEN,
                "Kommande sammanträden",
                (SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT),
                (NAMNDSEKRETERARE, STABSCHEF),
            ),
        ],
    )


def install():
    registry.register(
        definition(),
        vocabulary=Vocabulary(
            states=SammantradeStatus, transitions=SammantradeSteg, worklists=SammantradeArbetslista
        ),
    )
    registry.bind("arenden.Sammantrade", ID)
    # every step that changes the meeting's status makes the pages read before it stale
    before_transition.connect(
        protokoll.vid_ny_status, sender=Sammantrade, dispatch_uid="sammantrade-ny-status"
    )
