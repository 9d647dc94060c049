"""The förtroendevaldas portal, *Mina sammanträden*: the meetings a ledamot or ersättare is
kallad to or takes part in, with the kallelse, the underlag of each item and the protokoll
once it is justerat; nothing else (the ärenden themselves stay closed to them).

Secret content follows the rule of the meeting page (:func:`protokoll.far_lasa`): an item,
or a handling, marked secret is masked unless the reader may read the ärende's secret
content or serves in that item and so decides it (KL 5 kap. 47 §, 6 kap. 28 §; OSL 5 kap.
5 §). Who may read a meeting as a ledamot is answered by :class:`Ledamotsbehorighet`, an
authentication backend, so that views ask ``user.has_perm(LAS, sammantrade)`` as everywhere."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects

from arenden.diarium.models import Handling
from arenden.sammantraden.models import (
    DELTAR_I,
    Deltagare,
    Kallelsemottagare,
    Punkt,
    Sammantrade,
)
from workflow.engine import worklist

#: the permission to read a meeting as one kallad to it
LAS = "arenden.las_som_ledamot"
#: a meeting exists for its ledamöter once the kallelse is sent
KALLADE = ("kallat", "genomfort", "justerat", "justerat_utan_anslag", "anslaget")
#: the protokoll is theirs to read once it is justerat (KL 5 kap. 69 §, 6 kap. 35 §)
JUSTERADE = ("justerat", "justerat_utan_anslag", "anslaget")
#: what of an item's ärende is its underlag
UNDERLAG = (
    Handling.Typ.TJANSTESKRIVELSE,
    Handling.Typ.BESLUTSUNDERLAG,
    Handling.Typ.BILAGA,
    Handling.Typ.SKRIVELSE,
    Handling.Typ.YTTRANDE,
)
#: the worklist of the ärenden whose secret content the user may read (flows/arende.py)
SEKRETESSBEHORIGA = "alla_sekretessbehoriga"


def _kallad(user) -> Q:
    """The meetings whose kallelse names ``user``'s person, or whose närvaro does."""
    return Q(
        Exists(
            Kallelsemottagare.objects.filter(
                sammantrade=OuterRef("pk"), person__anvandare_id=user.pk
            )
        )
    ) | Q(
        Exists(Deltagare.objects.filter(sammantrade=OuterRef("pk"), person__anvandare_id=user.pk))
    )


def mina_sammantraden(user):
    """The meetings ``user`` is kallad to or took part in, newest first; none for anyone
    without a person."""
    if not user.is_authenticated:
        return Sammantrade.objects.none()
    return (
        Sammantrade.objects.filter(
            _kallad(user),
            # an inställt meeting whose kallelse went out: the kallade are told it is
            Q(state__in=KALLADE) | Q(state="installt", kallad__isnull=False),
        )
        .select_related("organ")
        .order_by("-datum", "-pk")
    )


def med_underlag(moten: list[Sammantrade]) -> list[Sammantrade]:
    """The meetings (read with their organ) with their items, each with its ärende, jäv and
    the ärende's underlag, and the närvaro that decides who serves where: a fixed number of
    queries, however many meetings, items and underlag."""
    underlag = Handling.objects.filter(typ__in=UNDERLAG).defer("text").order_by("nummer")
    prefetch_related_objects(
        moten,
        Prefetch(
            "punkter",
            queryset=Punkt.objects.select_related("arende").prefetch_related(
                "jav", Prefetch("arende__handlingar", queryset=underlag)
            ),
        ),
        Prefetch(
            "deltagare",
            queryset=Deltagare.objects.select_related(
                "person", "anslot_fran", "lamnade_efter"
            ).prefetch_related(*DELTAR_I),
        ),
    )
    return moten


def sekretessbehoriga(user, arende_ids) -> set[int]:
    """Those of ``arende_ids`` whose secret content ``user`` may read: one query for them all
    (the worklist the search asks too, arenden.diarium.sokning)."""
    if not arende_ids:
        return set()
    return set(
        worklist(user, SEKRETESSBEHORIGA)
        .filter(pk__in=arende_ids)
        .order_by()
        .values_list("pk", flat=True)
    )


def tjanstgor_i(user, punkt: Punkt, deltagare) -> bool:
    """Does ``user`` serve in ``punkt`` and so decide it (not jävig, present)?"""
    return any(d.person.anvandare_id == user.pk and d.deltar_i(punkt) for d in deltagare)


def far_lasa_handling(user, handling: Handling, punkt: Punkt, deltagare, behoriga) -> bool:
    """May ``user`` read ``handling``, underlag of ``punkt``: open content always; secret
    content (its own marking or its ärende's) when the user may read the ärende's secret
    content (``behoriga``), or serves in the item and the handling came before the protokoll
    was justerat: what comes in after the meeting's work is done (an överklagande, new health
    data after an återremiss) was never underlag for that decision, and a ledamot has no need
    to know it (OSL 5 kap. 5 §)."""
    if not handling.hemlig:
        return True
    if handling.arende_id in behoriga:
        return True
    justerat = punkt.sammantrade.justerat
    fore = justerat is None or handling.registrerad <= justerat
    return fore and tjanstgor_i(user, punkt, deltagare)


class Ledamotsbehorighet:
    """Answers :data:`LAS` on a sammanträde: the meeting is one of :func:`mina_sammantraden`;
    and without an object, whether the portal is of use to the user at all: they are kallad to
    some meeting (the menu's *Mina sammanträden*). Authenticates nobody and grants nothing
    else."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if perm != LAS or not user_obj.is_active:
            return False
        if obj is None:
            # asked by the menu on every page: one query, kept on the user object, which
            # lives as long as the request
            if not hasattr(user_obj, "_har_sammantraden"):
                user_obj._har_sammantraden = mina_sammantraden(user_obj).exists()
            return user_obj._har_sammantraden
        if not isinstance(obj, Sammantrade):
            return False
        return mina_sammantraden(user_obj).filter(pk=obj.pk).exists()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_module_perms(self, user_obj, app_label):
        return False
