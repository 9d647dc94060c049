"""The app's models. Each is defined beside its subdomain's services and views
(arenden/<subdomain>/models.py); they are imported here so that Django finds them, all under
the app label ``arenden``, and so that ``arenden.models.X`` names any of them."""

from arenden.arkiv.models import Bevarande, GallradHandling, Gallringsbeslut, Klass
from arenden.begaran.models import Begaran, BegardHandling
from arenden.diarium.models import Arende, ArendeRelation, Handling, Nummerserie, Sekretessatkomst
from arenden.dokument.jobb import GenereratDokument
from arenden.gemensamt.models import Inskick
from arenden.gemensamt.utskick import Utskick
from arenden.handlaggning.models import (
    Beredningsansvarig,
    Beslut,
    Mottagare,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.konto.integrationer import ApiIdempotens, OidcIdentitet
from arenden.organisation.models import Enhet, Organ, Person
from arenden.sammantraden.models import (
    Deltagare,
    Jav,
    Justering,
    Kallelsemottagare,
    Punkt,
    Rattelse,
    Reservation,
    Sammantrade,
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
    "Deltagare",
    "Enhet",
    "GallradHandling",
    "Gallringsbeslut",
    "GenereratDokument",
    "Handling",
    "Inskick",
    "Jav",
    "Justering",
    "Kallelsemottagare",
    "Klass",
    "Mottagare",
    "Nummerserie",
    "OidcIdentitet",
    "Organ",
    "Person",
    "Punkt",
    "Rattelse",
    "Reservation",
    "Sammantrade",
    "Sekretessatkomst",
    "Tjansteskrivelse",
    "Uppdrag",
    "Utskick",
    "Votering",
    "Yrkande",
    "Yttrande",
]
