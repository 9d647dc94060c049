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

ALL = (
    STABSCHEF,
    HANDLAGGARE,
    BEREDNINGSANSVARIG,
    NAMNDSEKRETERARE,
    REGISTRATOR,
    REVISOR,
    JUSTERARE,
)
