"""The roles of the political administration. A global role is a Django group of the same
name; Handläggare and Beredningsansvarig are usually given locally on one ärende."""

STABSCHEF = "Stabschef"
HANDLAGGARE = "Handläggare"
BEREDNINGSANSVARIG = "Beredningsansvarig"
NAMNDSEKRETERARE = "Nämndsekreterare"
REGISTRATOR = "Registrator"
REVISOR = "Revisor"
#: given locally on a sammanträde to the ordförande and the justerare, who sign the protokoll
JUSTERARE = "Justerare"
#: given locally on a nämnd to the delegater and ersättare of its delegationsordning, until the
#: last day of their rows (arenden.delegering.models.ge_delegatroll); never a group, so never
#: held globally (not in ALL, whose groups the demo makes)
DELEGAT = "Delegat"

ALL = (
    STABSCHEF,
    HANDLAGGARE,
    BEREDNINGSANSVARIG,
    NAMNDSEKRETERARE,
    REGISTRATOR,
    REVISOR,
    JUSTERARE,
)

#: the rights a global role has whatever the state (the migrations give them; the demo makes
#: sure of them): the revisor reads the global audit log; the registrator opens registration
#: and cares for the archive: gallring (arkivlagen 10 §) and delivery to the e-arkiv
#: (``arenden.arkivvard``, migration 0071)
RATTIGHETER = {
    REVISOR: (("workflow", "view_workflowhistory"),),
    REGISTRATOR: (("arenden", "add_arende"), ("arenden", "arkivvard")),
}

#: who watch the one-year clock of motioner and medborgarförslag (KL 5 kap. 35 §): the
#: permission, and the groups it is given to (migration 0034; the demo makes sure of them)
BEVAKA_MOTIONER = ("arenden", "view_motion")
MOTIONSBEVAKARE = (REGISTRATOR, NAMNDSEKRETERARE, STABSCHEF)
