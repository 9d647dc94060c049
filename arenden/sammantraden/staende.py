"""Standing items the system adds to a föredragningslista when the kallelse goes out (the
anmälan of delegationsbeslut, of motioner not berett within the year): each kind once."""

from __future__ import annotations

from django.db.models import Max

from arenden.sammantraden.models import Punkt


def lagg_till_staende_punkt(sammantrade, typ: str, rubrik: str, *, user) -> Punkt | None:
    """Add a standing item of ``typ`` last on the föredragningslista, unless the meeting has
    one already (then None): sending the kallelse again adds nothing."""
    if sammantrade.punkter.filter(typ=typ).exists():
        return None
    ordning = (sammantrade.punkter.aggregate(n=Max("ordning"))["n"] or 0) + 1
    punkt = Punkt(sammantrade=sammantrade, ordning=ordning, typ=typ, rubrik=rubrik)
    punkt._history_user = user
    punkt.save()
    return punkt
