"""The ärende lifecycle (DESIGN.md section 5) as an engine workflow.

Who does what: the registrator registers and makulerar; the stabschef assigns, pauses and
writes off; the handläggare and the beredningsansvariga prepare; the nämndsekreterare puts
the ärende on the agenda and records beslut and expediering; the revisor only reads.
Återremiss, bordläggning, avskrivning and makulering require a motivering.
"""

from django.utils import timezone

from arenden.models import Beslut, Handling
from arenden.roles import (
    BEREDNINGSANSVARIG,
    HANDLAGGARE,
    NAMNDSEKRETERARE,
    REGISTRATOR,
    REVISOR,
    STABSCHEF,
)
from arenden.services import alla_expedierade
from workflow import registry
from workflow.definitions import Guard, State, Transition, Workflow, Worklist

ID = "arende"

VIEW = "arenden.view_arende"
CHANGE = "arenden.change_arende"
TJANSTESKRIVELSE = "arenden.change_tjansteskrivelse"
HANDLING = "arenden.add_handling"
SEKRETESS = "arenden.view_sekretess"
EXPEDIERA = "arenden.expediera_arende"
REDOVISA = "arenden.redovisa_uppdrag"

PREPARERS = (HANDLAGGARE, BEREDNINGSANSVARIG)
EVERYONE = (STABSCHEF, HANDLAGGARE, BEREDNINGSANSVARIG, NAMNDSEKRETERARE, REGISTRATOR, REVISOR)
#: Who may read sekretess-marked content (OSL: need to know, narrower than seeing that the
#: ärende exists): those named on the ärende to prepare it, and the revisor, whose right to
#: information (KL 12 kap. 12 §) secrecy does not bar (OSL 10 kap. 28 §). The stabschef, the
#: registrator and the nämndsekreterare see the offentlig rubrik; a stabschef who must read
#: more is named beredningsansvarig on that ärende.
INSIDERS = (HANDLAGGARE, BEREDNINGSANSVARIG, REVISOR)


def _state(
    id,
    title,
    description="",
    *,
    edit=(),
    tjansteskrivelse=(),
    handling=(),
    expediera=(),
    redovisa=(),
    final=False,
):
    permissions = {VIEW: EVERYONE, SEKRETESS: INSIDERS}
    for perm, roles in (
        (CHANGE, edit),
        (TJANSTESKRIVELSE, tjansteskrivelse),
        (HANDLING, handling),
        (EXPEDIERA, expediera),
        (REDOVISA, redovisa),
    ):
        if roles:
            permissions[perm] = roles
    return State(id, title, description, permissions=permissions, final=final)


def _alla_expedierade(arende, user) -> bool:
    return alla_expedierade(arende)


def _allt_redovisat(arende, user) -> bool:
    return not arende.uppdrag.filter(redovisat=None).exists()


def _datum(falt):
    def satt(event):
        setattr(event.obj, falt, timezone.localdate())

    satt.__name__ = f"satt_{falt}"
    return satt


def _beslutsdatum(event):
    senaste = (
        Beslut.objects.filter(arende_id=event.obj.pk)
        .order_by("-datum", "-pk")
        .values_list("datum", flat=True)
        .first()
    )
    event.obj.beslutat = senaste or timezone.localdate()


def _upprattade(event):
    """TF 2 kap. 10 §: the ärende's own handlingar become upprättade when it is expedierat or
    slutbehandlat. Saved one by one so each change has its field history."""
    for handling in event.obj.handlingar.filter(status=Handling.Status.UTKAST):
        handling.status = Handling.Status.UPPRATTAD
        handling._change_reason = event.transition.id
        handling._history_user = event.user
        handling.save()


def definition() -> Workflow:
    beredning = dict(
        edit=(STABSCHEF, REGISTRATOR, *PREPARERS),
        tjansteskrivelse=PREPARERS,
        handling=(REGISTRATOR, *PREPARERS),
    )
    states = [
        _state(
            "registrerat",
            "Registrerat",
            "I diariet med diarienummer och ärendemening; ingen handläggare ännu.",
            edit=(REGISTRATOR, STABSCHEF),
            handling=(REGISTRATOR,),
        ),
        _state(
            "tilldelat",
            "Tilldelat",
            "Stabschefen har utsett handläggare och beredningsansvariga.",
            **beredning,
        ),
        _state(
            "under_beredning",
            "Under beredning",
            "Handläggaren tar fram tjänsteskrivelse och beslutsunderlag.",
            **beredning,
        ),
        _state(
            "beredd",
            "Beredd",
            "Beredningen är klar; förslag till beslut finns.",
            edit=(STABSCHEF, REGISTRATOR),
            handling=(REGISTRATOR,),
        ),
        _state(
            "anmalt",
            "Anmält",
            "På föredragningslistan till ett sammanträde.",
            handling=(REGISTRATOR, NAMNDSEKRETERARE),
        ),
        _state(
            "beslutat",
            "Beslutat",
            "Beslutat som en paragraf i protokollet.",
            handling=(REGISTRATOR, NAMNDSEKRETERARE),
            expediera=(NAMNDSEKRETERARE, REGISTRATOR),
        ),
        _state(
            "expedierat",
            "Expedierat",
            "Beslutet är skickat till alla på sändlistan.",
            handling=(REGISTRATOR,),
        ),
        _state(
            "bevakas",
            "Bevakas",
            "Väntar på återrapportering till ett förfallodatum.",
            handling=(REGISTRATOR, NAMNDSEKRETERARE, *PREPARERS),
            redovisa=(STABSCHEF, NAMNDSEKRETERARE, *PREPARERS),
        ),
        _state(
            "aterremitterat",
            "Återremitterat",
            "Organet har skickat tillbaka ärendet för mer beredning.",
            **beredning,
        ),
        _state(
            "bordlagt",
            "Bordlagt",
            "Skjutet till ett senare sammanträde.",
            handling=(REGISTRATOR, NAMNDSEKRETERARE),
        ),
        _state(
            "overlamnat",
            "Överlämnat",
            "Beslutet är ett förslag till ett högre organ, där ärendet fortsätter.",
            handling=(REGISTRATOR,),
        ),
        _state("vilande", "Vilande", "Pausat.", handling=(REGISTRATOR,)),
        _state("avslutat", "Avslutat", "Slutbehandlat; klart för arkiv.", final=True),
        _state("avskrivet", "Avskrivet", "Avslutat utan beslut i sak.", final=True),
        _state("makulerat", "Makulerat", "Registrerat av misstag.", final=True),
    ]
    return Workflow(
        id=ID,
        title="Ärendets livscykel",
        roles=(STABSCHEF, HANDLAGGARE, BEREDNINGSANSVARIG, NAMNDSEKRETERARE, REGISTRATOR, REVISOR),
        initial_state="registrerat",
        states=states,
        transitions=[
            Transition(
                "tilldela", "Tilldela", "registrerat", "tilldelat", guard=Guard(roles=(STABSCHEF,))
            ),
            Transition(
                "paborja_beredning",
                "Påbörja beredning",
                ("tilldelat", "aterremitterat"),
                "under_beredning",
                guard=Guard(roles=PREPARERS),
            ),
            Transition(
                "markera_beredd",
                "Markera som beredd",
                "under_beredning",
                "beredd",
                guard=Guard(roles=PREPARERS),
            ),
            Transition(
                "ateruppta_beredning",
                "Återuppta beredningen",
                "beredd",
                "under_beredning",
                guard=Guard(roles=(STABSCHEF, *PREPARERS)),
            ),
            Transition(
                "anmal",
                "Anmäl till sammanträde",
                ("beredd", "bordlagt"),
                "anmalt",
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
            ),
            Transition(
                "besluta",
                "Registrera beslut",
                "anmalt",
                "beslutat",
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                before=(_beslutsdatum,),
            ),
            Transition(
                "aterremittera",
                "Återremittera",
                "anmalt",
                "aterremitterat",
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                comment_required=True,
            ),
            Transition(
                "bordlagga",
                "Bordlägg",
                "anmalt",
                "bordlagt",
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                comment_required=True,
            ),
            Transition(
                "overlamna",
                "Överlämna till högre organ",
                "anmalt",
                "overlamnat",
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                before=(_beslutsdatum,),
            ),
            Transition(
                "expediera",
                "Expediera",
                "beslutat",
                "expedierat",
                guard=Guard(
                    permissions=(EXPEDIERA,),
                    condition=_alla_expedierade,
                    condition_message="beslutet är inte skickat till alla på sändlistan",
                ),
                before=(_datum("expedierat"),),
                after=(_upprattade,),
            ),
            Transition(
                "bevaka",
                "Bevaka återrapportering",
                "expedierat",
                "bevakas",
                guard=Guard(roles=(STABSCHEF, NAMNDSEKRETERARE, *PREPARERS)),
            ),
            Transition(
                "avsluta",
                "Avsluta",
                ("expedierat", "bevakas", "overlamnat"),
                "avslutat",
                guard=Guard(roles=(STABSCHEF, NAMNDSEKRETERARE, REGISTRATOR)),
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                "avsluta_aterrapporterat",
                "Avsluta efter återrapportering",
                "bevakas",
                "avslutat",
                guard=Guard(
                    permissions=(REDOVISA,),
                    condition=_allt_redovisat,
                    condition_message="alla uppdrag är inte återrapporterade",
                ),
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                "vila",
                "Gör vilande",
                ("tilldelat", "under_beredning"),
                "vilande",
                guard=Guard(roles=(STABSCHEF,)),
                comment_required=True,
            ),
            Transition(
                "ateruppta",
                "Återuppta",
                "vilande",
                "under_beredning",
                guard=Guard(roles=(STABSCHEF,)),
            ),
            Transition(
                "avskriva",
                "Avskriv",
                ("registrerat", "tilldelat", "under_beredning", "vilande"),
                "avskrivet",
                guard=Guard(roles=(STABSCHEF,)),
                comment_required=True,
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                "makulera",
                "Makulera",
                "registrerat",
                "makulerat",
                guard=Guard(roles=(REGISTRATOR,)),
                comment_required=True,
            ),
        ],
        worklists=[
            Worklist(
                "alla_arenden",
                "Alla ärenden",
                tuple(state.id for state in states),
                EVERYONE,
            ),
            Worklist(
                "alla_sekretessbehoriga",
                "Ärenden vars sekretessmarkerade innehåll användaren får läsa",
                tuple(state.id for state in states),
                INSIDERS,
            ),
            Worklist("att_tilldela", "Att tilldela", ("registrerat",), (STABSCHEF,)),
            Worklist(
                "mina_arenden",
                "Mina ärenden",
                ("tilldelat", "under_beredning", "aterremitterat"),
                PREPARERS,
            ),
            Worklist(
                "klara_for_beslut", "Klara för beslut", ("beredd", "bordlagt"), (NAMNDSEKRETERARE,)
            ),
            Worklist(
                "att_expediera", "Att expediera", ("beslutat",), (NAMNDSEKRETERARE, REGISTRATOR)
            ),
            Worklist(
                "aterrapportering_bevakas",
                "Återrapportering förfaller",
                ("bevakas",),
                (STABSCHEF, *PREPARERS),
            ),
        ],
    )


def install():
    registry.register(definition())
    registry.bind("arenden.Arende", ID)
