"""Begäran om allmän handling (TF 2 kap. 15–18 §§, OSL 6 kap.): register, try, answer.

- :func:`registrera` records the request in the ärende it concerns, with the handlingar it
  asks for and the day it must be tried by ("skyndsamt", TF 2 kap. 15 §: here the next
  working day after it came in, :data:`PROVA_INOM_ARBETSDAGAR`).
- :func:`prova` records what is decided for each handling (lämnas ut, maskeras with the pages
  and the lagrum, undantas with the lagrum), produces what the decision needs and takes the
  step of the request's workflow (``flows/begaran.py``) that the decision is:
  * everything released: *lamna_ut*;
  * some withheld: the system draws up the copy, with every withheld page replaced by a page
    that says under which lagrum it was withheld and the withheld handlingar left out, and
    the decision with överklagandehänvisning; both are filed in the ärende; *lamna_ut_maskerat*;
  * nothing released: the decision with överklagandehänvisning is filed; *avsla* (with the
    motivering as the step's comment).
  A copy is never put together by hand.
"""

from __future__ import annotations

import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.begaran.models import Begaran, BegardHandling
from arenden.diarium import services
from arenden.diarium.models import Arende, Handling, Sekretessatkomst
from arenden.dokument import services as dokument
from arenden.gemensamt.tal import heltal
from arenden.organisation import roles
from arenden.sammantraden.models import sista_dag
from flows.namn import ArendeStatus, BegaranStatus
from workflow import roles as workflow_roles
from workflow.context import acting_as
from workflow.engine import do_transition

#: "skyndsamt": JO's practice is the same day, or at most a day or two; the request is due
#: for prövning this many working days after it came in
PROVA_INOM_ARBETSDAGAR = 1

#: who may register a request: whoever receives it in the organ's diarium, and those who decide
REGISTRERAR = frozenset({roles.REGISTRATOR, roles.STABSCHEF, roles.HANDLAGGARE})


def prova_senast(inkommen: datetime.date) -> datetime.date:
    """The working day, ``PROVA_INOM_ARBETSDAGAR`` after ``inkommen`` (lagen 1930:173's
    holidays)."""
    dag = inkommen
    for _i in range(PROVA_INOM_ARBETSDAGAR):
        dag = sista_dag(dag + datetime.timedelta(days=1))
    return dag


def far_registrera(user, arende: Arende) -> bool:
    return bool(REGISTRERAR & workflow_roles.roles_in_context(user, arende))


def registrera(
    arende: Arende,
    *,
    user,
    avser: str,
    form: str,
    handlingar=(),
    inkommen: datetime.date | None = None,
    sokande: str = "",
    kontakt: str = "",
) -> Begaran:
    if not user.has_perm("arenden.view_arende", arende) or not far_registrera(user, arende):
        raise PermissionDenied(_("Du får inte registrera en begäran i det här ärendet."))
    inkommen = inkommen or timezone.localdate()
    services.kräv_skett(inkommen, _("Dagen begäran kom in"))
    handlingar = list(handlingar)
    if not handlingar:
        raise ValidationError(_("Välj minst en handling som begäran gäller."), code="inga")
    if any(h.arende_id != arende.pk for h in handlingar):
        raise ValidationError(_("En begärd handling hör inte till ärendet."), code="fel_arende")
    with transaction.atomic(), acting_as(user):
        # under the ärende's lock, as the gallring decides (arenden.arkiv.gallring): a handling
        # is either gallrad before and refused here, or asked for and kept by the gallring
        arende = Arende.objects.select_for_update().get(pk=arende.pk)
        if arende.state == ArendeStatus.MAKULERAT:
            raise ValidationError(
                _("%(arende)s är makulerat: det har inga allmänna handlingar att begära.")
                % {"arende": arende.diarienummer},
                code="makulerat",
            )
        gallrade = Handling.objects.filter(
            pk__in=[h.pk for h in handlingar], gallrad__isnull=False
        ).order_by("nummer")
        if gallrade:
            raise ValidationError(
                _(
                    "%(vilka)s är gallrad och finns inte längre; svara den sökande det i "
                    "stället för att pröva ett utlämnande."
                )
                % {"vilka": ", ".join(h.beteckning for h in gallrade)},
                code="gallrad",
            )
        begaran = Begaran(
            arende=arende,
            inkommen=inkommen,
            senast=prova_senast(inkommen),
            sokande=sokande,
            kontakt=kontakt,
            avser=avser,
            form=form,
            registrerad_av=user,
        )
        begaran._history_user = user
        begaran.save()
        for handling in handlingar:
            BegardHandling.objects.create(begaran=begaran, handling=handling)
    return begaran


def _sidor(text: str, antal: int) -> set[int]:
    """Pages "2, 4-5" as {2, 4, 5}, each within 1..antal."""
    sidor: set[int] = set()
    for del_ in text.replace(" ", "").split(","):
        if not del_:
            continue
        fran, _streck, till = del_.partition("-")
        a, b = heltal(fran), heltal(till or fran)
        if a is None or b is None:
            raise ValidationError(_("Sidorna anges som t.ex. 2, 4-5."), code="sidor_format")
        if not 1 <= a <= b <= antal:
            raise ValidationError(
                _("Handlingen har %(antal)s sidor; %(del)s finns inte.")
                % {"antal": antal, "del": del_},
                code="sidor_utanfor",
            )
        sidor.update(range(a, b + 1))
    if not sidor:
        raise ValidationError(_("Ange vilka sidor som maskeras."), code="sidor_saknas")
    return sidor


def _pdf(handling: Handling):
    from pypdf import PdfReader

    if not handling.fil or handling.mediatyp != dokument.PDF:
        raise ValidationError(
            _(
                "Handling %(nr)s är inte en PDF: den kan lämnas ut eller undantas i sin helhet, "
                "men inte maskeras sida för sida."
            )
            % {"nr": handling.nummer},
            code="inte_pdf",
        )
    with handling.fil.open("rb") as fil:
        return PdfReader(io.BytesIO(fil.read()))


def _behorig(user, begaran: Begaran) -> None:
    if not user.has_perm("arenden.prova_begaran", begaran):
        raise PermissionDenied(_("Du får inte pröva den här begäran."))


def _las_sekretess(user, begaran: Begaran, rader) -> None:
    """Whoever tries a request must be able to read what it asks for; every read of secret
    content is logged. A meeting's kallelse or protokoll filed in its ärende holds its items
    as they read now (arenden.dokument.motesfiler): one with a secret item is secret to who
    may not read all of it, marked itself or not."""
    from arenden.dokument import motesfiler

    arende = begaran.arende
    hemliga = [r.handling for r in rader if r.handling.ar_sekretessmarkerad]
    moten = [
        md
        for r in rader
        if (md := motesfiler.motesdokument(user, r.handling)) is not None and md.hemligt
    ]
    if not (arende.ar_sekretessmarkerat or hemliga or moten):
        return
    far_inte = (arende.ar_sekretessmarkerat or hemliga) and not user.has_perm(
        "arenden.view_sekretess", arende
    )
    if far_inte or not all(md.hela for md in moten):
        raise PermissionDenied(
            _(
                "Begäran gäller sekretessmarkerade uppgifter som du inte får läsa; den ska "
                "prövas av ärendets handläggare."
            )
        )
    hemliga += [md.handling for md in moten if md.handling not in hemliga]
    Sekretessatkomst.logga_handlingar(user, arende, hemliga or [None], Sekretessatkomst.Vad.BEGARAN)


def prova(
    begaran: Begaran, *, user, utfall: dict, motivering: str = "", version: int | None = None
) -> Begaran:
    """Decide the request. ``utfall`` maps each requested handling's pk to
    ``(utfall, lagrum, sidor)``. ``version``: the ärende's as the form was read
    (:func:`services.andras`): a prövning made on a page read before a handling was marked
    secret, or anything else in the ärende changed, is refused, never made unseen."""
    with transaction.atomic(), acting_as(user):
        # the ärende first, as every step in it locks it, then the request
        arende = Arende.objects.select_for_update().get(pk=begaran.arende_id)
        begaran = Begaran.objects.select_for_update().select_related("arende").get(pk=begaran.pk)
        if begaran.state != BegaranStatus.INKOMMEN:
            raise ValidationError(_("Begäran är redan prövad."), code="provad")
        _behorig(user, begaran)
        rader = list(begaran.rader.select_related("handling", "handling__arende"))
        _las_sekretess(user, begaran, rader)
        services.andras(arende, version=version)
        sidor: dict[int, set[int]] = {}
        for rad in rader:
            val, lagrum, sidtext = utfall.get(rad.handling_id, ("", "", ""))
            if val not in BegardHandling.Utfall.values:
                raise ValidationError(
                    _("Välj utfall för handling %(nr)s.") % {"nr": rad.handling.nummer},
                    code="utfall_saknas",
                )
            if val != BegardHandling.Utfall.LAMNAS_UT and not lagrum.strip():
                raise ValidationError(
                    _(
                        "Ange lagrummet för det som inte lämnas ut av handling %(nr)s "
                        "(OSL 6 kap. 7 §)."
                    )
                    % {"nr": rad.handling.nummer},
                    code="lagrum_saknas",
                )
            if val == BegardHandling.Utfall.MASKERAS:
                sidor[rad.pk] = _sidor(sidtext, len(_pdf(rad.handling).pages))
            rad.utfall = val
            rad.lagrum = lagrum.strip() if val != BegardHandling.Utfall.LAMNAS_UT else ""
            rad.sidor = sidtext.strip() if val == BegardHandling.Utfall.MASKERAS else ""
            rad._history_user = user
            rad.save()
        varden = {r.utfall for r in rader}
        if varden == {BegardHandling.Utfall.LAMNAS_UT}:
            steg = "lamna_ut"
        elif varden == {BegardHandling.Utfall.UNDANTAS}:
            steg = "avsla"
        else:
            steg = "lamna_ut_maskerat"
        if steg == "avsla" and not motivering.strip():
            raise ValidationError(_("Ett avslag ska motiveras."), code="motivering")
        if steg != "lamna_ut":
            begaran.beslut = _arkivera(
                begaran, user, beslut_dokument(begaran, rader, motivering), "beslut"
            )
        if steg == "lamna_ut_maskerat":
            begaran.kopia = _arkivera(begaran, user, None, "kopia", pdf=_kopia(begaran, rader))
        begaran.provad_av = user
        begaran.provad = timezone.now()
        begaran._history_user = user
        begaran.save()
        kommentar = motivering.strip() or _sammanfattning(rader)
        do_transition(begaran, steg, user, kommentar)
    return begaran


def _sammanfattning(rader) -> str:
    return "; ".join(
        f"{r.handling.beteckning}: {r.get_utfall_display()}"
        + (f" ({r.lagrum}{', sidor ' + r.sidor if r.sidor else ''})" if r.lagrum else "")
        for r in rader
    )


def _arkivera(begaran: Begaran, user, dok, slag: str, pdf: bytes | None = None) -> Handling:
    """File the decision or the copy in the ärende as an upprättad handling (TF 2 kap. 10 §:
    expedierad to the sökande)."""
    datum = timezone.localdate()
    if slag == "beslut":
        pdf = dokument.som_pdf(dok)
        titel = _("Beslut om utlämnande av allmän handling, begäran %(dag)s") % {
            "dag": f"{begaran.inkommen:%Y-%m-%d}"
        }
        typ, riktning = Handling.Typ.SKRIVELSE, Handling.Riktning.UPPRATTAD
    else:
        titel = _("Utlämnad kopia med maskering, begäran %(dag)s") % {
            "dag": f"{begaran.inkommen:%Y-%m-%d}"
        }
        typ, riktning = Handling.Typ.BILAGA, Handling.Riktning.UPPRATTAD
    filnamn = f"begaran-{begaran.pk}-{slag}.pdf"
    return services.arkivera_handling(
        begaran.arende,
        user=user,
        typ=typ,
        riktning=riktning,
        titel=titel,
        datum=datum,
        fil=ContentFile(pdf, name=filnamn),
        filnamn=filnamn,
        status=Handling.Status.UPPRATTAD,
        avsandare_mottagare=begaran.sokande or _("Sökande (anonym)"),
    )


def beslut_dokument(begaran: Begaran, rader, motivering: str) -> dokument.Dokument:
    """The decision: what is released, what is withheld and under which lagrum, the
    motivering, and how to appeal (OSL 6 kap. 7–8 §§; FL 44–45 §§)."""
    arende = begaran.arende
    block = [
        dokument.Block("rubrik", text=_("Beslut")),
        dokument.Block(
            "lista",
            rader=[
                f"{r.handling.beteckning} {r.handling.publik_titel}: {r.get_utfall_display()}"
                + (f", sekretess enligt {r.lagrum}" if r.lagrum else "")
                + (f", sidorna {r.sidor} maskeras" if r.sidor else "")
                for r in rader
            ],
        ),
    ]
    if motivering.strip():
        block += [
            dokument.Block("rubrik", text=_("Skäl"), niva=3),
            dokument.Block("text", text=motivering.strip()),
        ]
    block += [
        dokument.Block("rubrik", text=_("Hur man överklagar"), niva=3),
        dokument.Block(
            "text",
            text=_(
                "Beslutet kan överklagas hos kammarrätten (OSL 6 kap. 8 §). Överklagandet ska "
                "vara skriftligt och ställas till kammarrätten men skickas till %(organ)s. Det "
                "ska ha kommit in inom tre veckor från den dag du fick del av beslutet "
                "(förvaltningslagen 44 §). Ange vilket beslut du överklagar, diarienumret "
                "%(dnr)s, och hur du vill att beslutet ska ändras."
            )
            % {"organ": arende.organ.namn, "dnr": arende.diarienummer},
        ),
    ]
    return dokument.Dokument(
        titel=_("Beslut om utlämnande av allmän handling"),
        huvud=[
            (_("Myndighet"), arende.organ.namn),
            (_("Diarienummer"), str(arende.diarienummer)),
            (_("Ärende"), arende.publik_rubrik),
            (_("Begäran inkom"), f"{begaran.inkommen:%Y-%m-%d}"),
            (_("Sökande"), begaran.sokande or _("anonym")),
            (_("Beslutsdatum"), f"{timezone.localdate():%Y-%m-%d}"),
        ],
        block=block,
        filnamn=f"beslut-begaran-{begaran.pk}",
    )


def _kopia(begaran: Begaran, rader) -> bytes:
    """The copy that is released: a first page that lists what is withheld and why, then each
    released PDF whole and each masked one with its withheld pages replaced by a page that
    names the lagrum. Handlingar withheld whole and released files that are not PDF are
    listed on the first page, never included."""
    from pypdf import PdfReader, PdfWriter

    forsta = dokument.Dokument(
        titel=_("Utlämnad kopia"),
        huvud=[
            (_("Diarienummer"), str(begaran.arende.diarienummer)),
            (_("Begäran inkom"), f"{begaran.inkommen:%Y-%m-%d}"),
        ],
        block=[
            dokument.Block(
                "lista",
                rader=[
                    f"{r.handling.beteckning} {r.handling.publik_titel}: "
                    f"{r.get_utfall_display()}"
                    + (f", sidorna {r.sidor} enligt {r.lagrum}" if r.sidor else "")
                    + (f" enligt {r.lagrum}" if r.utfall == BegardHandling.Utfall.UNDANTAS else "")
                    + (
                        _(" (lämnas ut som egen fil)")
                        if r.utfall == BegardHandling.Utfall.LAMNAS_UT
                        and r.handling.mediatyp != dokument.PDF
                        else ""
                    )
                    for r in rader
                ],
            )
        ],
        filnamn="kopia",
    )
    ut = PdfWriter()
    for sida in PdfReader(io.BytesIO(dokument.som_pdf(forsta))).pages:
        ut.add_page(sida)
    for rad in rader:
        if rad.utfall == BegardHandling.Utfall.UNDANTAS:
            continue
        if rad.utfall == BegardHandling.Utfall.LAMNAS_UT and rad.handling.mediatyp != dokument.PDF:
            continue
        kalla = _pdf(rad.handling)
        dolda = _sidor(rad.sidor, len(kalla.pages)) if rad.sidor else set()
        for nr, sida in enumerate(kalla.pages, start=1):
            if nr in dolda:
                ersattning = dokument.Dokument(
                    titel=_("Sidan är maskerad"),
                    huvud=[
                        (_("Handling"), rad.handling.beteckning),
                        (_("Sida"), str(nr)),
                        (_("Sekretess enligt"), rad.lagrum),
                    ],
                    block=[],
                    filnamn="maskerad",
                )
                for ny in PdfReader(io.BytesIO(dokument.som_pdf(ersattning))).pages:
                    ut.add_page(ny)
            else:
                ut.add_page(sida)
    buf = io.BytesIO()
    ut.write(buf)
    return buf.getvalue()
