"""The app's models. Each is defined beside its subdomain's services and views
(arenden/<subdomain>/models.py); they are imported here so that Django finds them, all under
the app label ``arenden``, and so that ``arenden.models.X`` names any of them."""

from arenden.arkiv.models import Bevarande, GallradHandling, Gallringsbeslut, Klass
from arenden.begaran.models import Begaran, BegardHandling
from arenden.delegering.models import Delegationspunkt
from arenden.diarium.models import Arende, ArendeRelation, Handling, Nummerserie, Sekretessatkomst
from arenden.dokument.arkivering import Arkivering
from arenden.dokument.jobb import GenereratDokument, MisslyckatDokument
from arenden.gemensamt.models import Inskick
from arenden.gemensamt.utskick import Utskick
from arenden.handlaggning.models import (
    Beredningsansvarig,
    Beslut,
    Mottagare,
    Rattelseexpediering,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.konto.behorigheter import Tilldelning
from arenden.konto.integrationer import ApiIdempotens, OidcIdentitet
from arenden.motion.models import Motion
from arenden.organisation.models import Enhet, Ledamotsuppdrag, Organ, Person
from arenden.sammantraden.models import (
    Deltagare,
    Jav,
    Justering,
    Kallelsemottagare,
    Omrostningsdeltagare,
    Paragrafjustering,
    Protokollfil,
    Punkt,
    Rattelse,
    Rattelsesignatur,
    Reservation,
    Rost,
    Sammantrade,
    Tjanstgoring,
    Votering,
    Yrkande,
    Yttrande,
)

__all__ = [
    "ApiIdempotens",
    "Arende",
    "ArendeRelation",
    "Begaran",
    "BegardHandling",
    "Beredningsansvarig",
    "Beslut",
    "Bevarande",
    "Delegationspunkt",
    "Deltagare",
    "Enhet",
    "GallradHandling",
    "Gallringsbeslut",
    "GenereratDokument",
    "MisslyckatDokument",
    "Arkivering",
    "Handling",
    "Inskick",
    "Jav",
    "Justering",
    "Kallelsemottagare",
    "Motion",
    "Klass",
    "Ledamotsuppdrag",
    "Mottagare",
    "Rattelseexpediering",
    "Nummerserie",
    "OidcIdentitet",
    "Omrostningsdeltagare",
    "Paragrafjustering",
    "Organ",
    "Person",
    "Protokollfil",
    "Punkt",
    "Rattelse",
    "Rattelsesignatur",
    "Reservation",
    "Rost",
    "Sammantrade",
    "Sekretessatkomst",
    "Tilldelning",
    "Tjansteskrivelse",
    "Tjanstgoring",
    "Uppdrag",
    "Utskick",
    "Votering",
    "Yrkande",
    "Yttrande",
]
