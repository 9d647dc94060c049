"""The outbox: every e-mail the system sends is first a row here (:class:`Utskick`), written in
the transaction of the step that causes it. A step that is rolled back leaves no row and
sends nothing; a committed step's e-mail is tried at once after the commit and, if the mail
server is down or the worker dies first, again by ``manage.py skicka_utskick`` (cron). What
was sent, to whom, when, and what went wrong is on record.

Each row is sent under its own row lock (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite's write lock serialises the senders) and marked sent in the same transaction, so two
senders never send one row twice. A worker that dies between the mail server's acceptance
and the commit leaves the row unsent, and it is sent again: at least once, never lost.

A row not yet sent may be withdrawn (:func:`aterkalla`: the kallelse to a meeting that was
inställt before its e-mail left): it stays, marked *återkallat* with when and why, and no
sender sends it any more. A row already sent is never withdrawn: it has left.

E-mail leaves the system and this table is read in the admin: neither may carry secret
content (OSL). The callers put in the diarienummer and public rubrik only
(``Arende.publik_rubrik``) and attach the public version of a kallelse.

What is public when a row is written may be secret when it leaves: the mail server is down,
and meanwhile the ärende is sekretessmarkerat (its public rubrik was its whole mening while it
was open). So a text that names an ärende (or a handling, by its ärende) is never handed in
finished: the caller names a *mall* (:func:`lagg_i_utskick`), a function that makes the
:class:`Brev` from references (``data``, ids and plain words), and the row records which
ärenden it concerns (``Utskick.arenden``). When one of them is marked
(``diarium.services.andra_sekretess``, with what is marked from it), every row of it still
waiting is made again (:func:`maskera_pa_nytt`); one that now reads otherwise is withdrawn
(:func:`aterkalla`, kept as the record, with the row that replaced it) and the e-mail is put
in again as it reads now, masked, to the same recipients, as the kallelse is
(``protokoll.kallelsen_maskerad_pa_nytt``). The sender asks again under the row's lock
(:func:`skicka`): a row whose ärende is marked now and whose text is not what the mall makes
now is replaced the same way, never sent, whatever path the marking took. Replacing rather
than rewriting the row keeps what was queued, and when, on record; the admin shows neither the
text of a replaced row nor of one whose ärende is marked now (:attr:`Utskick.dold`). An e-mail
already sent cannot be called back."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

#: how many times ``manage.py skicka_utskick`` tries a row before it leaves it to the operator
MAX_FORSOK = 20
#: seconds a mail server may take to answer, unless ``EMAIL_TIMEOUT`` says otherwise: a row
#: stays locked while it is sent
TIDSGRANS = 10
#: how long a row a sender took is its own (:func:`_ta`): far longer than any sending takes
TAGEN = datetime.timedelta(minutes=10)


#: sent in the transaction that marks a row sent (``utskick``: the row), for what records whom
#: an e-mail reached (the kallelse's mottagare) to record it with the row, or not at all
skickat = Signal()


class Utskick(models.Model):
    """One e-mail: to whom, what, and whether and when it left."""

    till = models.JSONField(_("till"), default=list)
    dold_kopia = models.JSONField(_("dold kopia"), default=list)
    amne = models.TextField(_("ämne"))
    text = models.TextField(_("text"))
    bilaga_namn = models.CharField(_("bilagans filnamn"), max_length=255, blank=True)
    bilaga_typ = models.CharField(_("bilagans typ"), max_length=100, blank=True)
    bilaga = models.BinaryField(_("bilaga"), null=True, blank=True)
    skapad = models.DateTimeField(_("skapad"), default=timezone.now)
    forsok = models.PositiveIntegerField(_("försök"), default=0)
    skickad = models.DateTimeField(_("skickad"), null=True, blank=True)
    senaste_fel = models.TextField(_("senaste fel"), blank=True)
    #: when a sender took it (:func:`_ta`): no other sender takes it for ``TAGEN``, and once
    #: that has passed, the sender is taken to have died
    tagen = models.DateTimeField(_("tagen för att skickas"), null=True, blank=True)
    #: withdrawn before it was sent (:func:`aterkalla`), and why in the system's own words:
    #: the row is kept as the record of what was not sent, and no sender sends it
    aterkallad = models.DateTimeField(_("återkallat"), null=True, blank=True)
    aterkallad_skal = models.TextField(_("varför det återkallades"), blank=True)
    #: the function that makes the text (a dotted path, :func:`lagg_i_utskick`) and what it
    #: makes it from (references and plain words only), to make it again as it reads now
    mall = models.CharField(_("mall"), max_length=200, blank=True)
    data = models.JSONField(_("underlag"), default=dict, blank=True)
    #: the ärenden the text names: marked, the row is made again (:func:`maskera_pa_nytt`)
    arenden = models.ManyToManyField(
        "arenden.Arende", related_name="utskick", blank=True, verbose_name=_("ärenden")
    )
    #: the row put in instead when this one was withdrawn because it named something since
    #: sekretessmarkerat
    ersatt_av = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ersatter",
        verbose_name=_("ersatt av"),
    )

    class Meta:
        verbose_name = _("utskick")
        verbose_name_plural = _("utskick")
        ordering = ["-skapad", "-pk"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(skickad=None, aterkallad=None),
                name="utskick_oskickade",
            )
        ]

    def __str__(self):
        amne = DOLT if self.dold else self.amne
        text = f"{self.skapad:%Y-%m-%d %H:%M} {amne}"
        return f"{text} ({_('återkallat')})" if self.aterkallad else text

    @property
    def dold(self) -> bool:
        """Whether the subject and text are kept from who reads the table (the admin): the
        row was replaced because what it names was marked, or an ärende it names is marked
        now (its text may hold the mening it had while it was open; OSL 5 kap. 5 §). Read
        from :func:`med_dold` when the queryset has it."""
        if "dold_nu" in self.__dict__:
            return self.dold_nu
        if self.pk is None:
            return False
        return self.ersatt_av_id is not None or self.arenden.exclude(sekretess_lagrum="").exists()

    def meddelande(self, connection=None) -> EmailMessage:
        brev = EmailMessage(
            subject=self.amne,
            body=self.text,
            to=self.till,
            bcc=self.dold_kopia,
            connection=connection,
        )
        if self.bilaga is not None:
            brev.attach(self.bilaga_namn, bytes(self.bilaga), self.bilaga_typ or None)
        return brev


#: what the admin shows of a row's subject and text it keeps from its reader (:attr:`Utskick.dold`)
DOLT = _("(dolt: det brevet nämner är sekretessmarkerat)")


@dataclass
class Brev:
    """What a mall makes: the subject, the text, and the ids of the ärenden it names."""

    amne: str
    text: str
    arenden: list[int] = field(default_factory=list)


def _rad(amne: str) -> str:
    # one line: a line break in a subject would fail every attempt to send it
    return " ".join(amne.split())


#: the malls an e-mail may be made by: the path is read from the table and imported, so only
#: these are (a row written beside the system names nothing else to run)
MALLAR = frozenset(
    {
        "arenden.handlaggning.services.tilldelningens_brev",
        "flows.jobb.paminnelsens_brev",
    }
)


def gor(mall: str, data: dict) -> Brev:
    """The e-mail the mall ``mall`` (a dotted path, one of :data:`MALLAR`) makes of ``data``
    as things read now."""
    if mall not in MALLAR:
        raise ValueError(f"utskick: okänd mall {mall!r}")
    return import_string(mall)(data)


def _ny(*, amne, text, till, dold_kopia, bilaga, mall="", data=None, arenden=()) -> Utskick:
    """The row, written in the caller's transaction and not yet tried."""
    namn, innehall, typ = bilaga or ("", None, "")
    if isinstance(innehall, str):
        innehall = innehall.encode()
    rad = Utskick.objects.create(
        till=list(till),
        dold_kopia=list(dold_kopia),
        amne=_rad(amne),
        text=text,
        bilaga_namn=namn,
        bilaga_typ=typ or "",
        bilaga=innehall,
        mall=mall,
        data=data or {},
    )
    if arenden:
        rad.arenden.set(sorted(set(arenden)))
    return rad


def lagg_i_utskick(
    *,
    amne: str = "",
    text: str = "",
    till=(),
    dold_kopia=(),
    bilaga: tuple | None = None,
    mall: str = "",
    data: dict | None = None,
) -> Utskick:
    """Put an e-mail in the outbox in the caller's transaction; it is tried once that
    commits. ``bilaga`` is (filename, content, media type).

    A text that names an ärende or a handling is not given finished (``amne``, ``text``)
    but by its ``mall``: the dotted path of a function that takes ``data`` (a JSON object of
    ids and plain words, never secret text) and returns the :class:`Brev` as it reads now,
    with the ärenden it names (a handling by its ärende). The row records both, so that the
    e-mail is made again when one of them is marked (:func:`maskera_pa_nytt`)."""
    if mall:
        if amne or text:
            raise TypeError("lagg_i_utskick: en mall gör ämnet och texten")
        data = data or {}
        brev = gor(mall, data)
        rad = _ny(
            amne=brev.amne,
            text=brev.text,
            till=till,
            dold_kopia=dold_kopia,
            bilaga=bilaga,
            mall=mall,
            data=data,
            arenden=brev.arenden,
        )
    else:
        rad = _ny(amne=amne, text=text, till=till, dold_kopia=dold_kopia, bilaga=bilaga)
    _skicka_efter(rad)
    return rad


def _skicka_efter(rad: Utskick) -> None:
    """Try ``rad`` once the caller's transaction commits."""

    def skicka_nu():
        from config import celery

        # with a broker a worker sends it, off the request; the row lock in skicka() makes a
        # redelivered message harmless. The message names the row, never its content: the
        # worker reads the e-mail from this table (OSL 5 kap. 5 §)
        celery.utfor("arenden.utskick.skicka", [rad.pk])

    # robust: a failure here is logged (a refusal is also recorded on the row), and must not
    # turn the committed step into an error page
    transaction.on_commit(skicka_nu, robust=True)


def med_dold(rader):
    """``rader`` with ``dold_nu`` (:attr:`Utskick.dold`) read in the same query."""
    from arenden.diarium.models import Arende

    hemliga = Arende.objects.filter(utskick=models.OuterRef("pk")).exclude(sekretess_lagrum="")
    return rader.annotate(
        dold_nu=models.Q(ersatt_av__isnull=False) | models.Exists(hemliga),
    )


@dataclass
class Omgang:
    """What one round of sending did."""

    skickade: int = 0
    misslyckade: list[Utskick] = field(default_factory=list)


def att_skicka():
    """The rows still to be sent: not sent and not withdrawn."""
    return Utskick.objects.filter(skickad=None, aterkallad=None)


def oskickade(*, max_forsok: int = MAX_FORSOK):
    """The rows still to be sent, with fewer than ``max_forsok`` attempts, oldest first."""
    return att_skicka().filter(forsok__lt=max_forsok).order_by("pk")


def aterkalla(rader, *, skal: str, nar=None) -> list[int]:
    """Withdraw the rows of the queryset ``rader`` that have not been sent, in the caller's
    transaction: each is kept, marked withdrawn at ``nar`` (the time of the step that
    withdraws it; now by default) with ``skal`` (the system's words, never secret text: this
    table is read in the admin), and is never sent. A row already sent, or already
    withdrawn, is left as it is, so withdrawing twice withdraws once. Taken under the rows'
    locks, waiting for a sender that holds one: it has then sent the row (which stays sent)
    or not (and it is withdrawn). Returns the ids withdrawn now."""
    with transaction.atomic():
        pks = list(
            Utskick.objects.select_for_update()
            .filter(pk__in=rader.values("pk"), skickad=None, aterkallad=None)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if pks:
            Utskick.objects.filter(pk__in=pks).update(
                aterkallad=nar or timezone.now(), aterkallad_skal=skal
            )
    return pks


def _skal():
    return gettext(
        "Det brevet nämner sekretessmarkerades innan brevet hade skickats; brevet skickas på "
        "nytt som det lyder nu, med det som får stå i e-post."
    )


def _ersatt(rad: Utskick, brev: Brev, *, nar=None) -> Utskick | None:
    """Withdraw ``rad`` (in the caller's transaction, under its lock) and put in ``brev`` to
    the same recipients in its place; None when the row had left or was withdrawn already."""
    if not aterkalla(Utskick.objects.filter(pk=rad.pk), skal=_skal(), nar=nar):
        return None
    ny = _ny(
        amne=brev.amne,
        text=brev.text,
        till=rad.till,
        dold_kopia=rad.dold_kopia,
        bilaga=(rad.bilaga_namn, rad.bilaga, rad.bilaga_typ) if rad.bilaga is not None else None,
        mall=rad.mall,
        data=rad.data,
        arenden=brev.arenden,
    )
    Utskick.objects.filter(pk=rad.pk).update(ersatt_av=ny)
    return ny


def _som_nu(rad: Utskick, brev: Brev) -> bool:
    return (_rad(brev.amne), brev.text) == (rad.amne, rad.text)


def maskera_pa_nytt(arenden, *, nar=None) -> list[int]:
    """Something in the ärenden ``arenden`` (ids) was just sekretessmarkerat, in the caller's
    transaction: every e-mail of theirs still waiting is made again by its mall, and one that
    now reads otherwise is withdrawn, kept as the record, and put in again as it reads now, to
    the same recipients (sent once the caller commits). One that reads the same (the marking
    touched nothing it says) is left as it is; one already sent cannot be called back. The
    ids withdrawn."""
    aterkallade = []
    vantande = (
        att_skicka()
        .filter(pk__in=Utskick.objects.filter(arenden__in=list(arenden)).values("pk"))
        .exclude(mall="")
        .order_by("pk")
    )
    for rad in vantande:
        try:
            brev = gor(rad.mall, rad.data)
        except Exception:  # the mall failed: the old text must not leave, nor block the marking
            logger.exception("Utskick %s kunde inte göras om efter en sekretessmarkering.", rad.pk)
            aterkallade += aterkalla(
                Utskick.objects.filter(pk=rad.pk),
                skal=gettext(
                    "Det brevet nämner sekretessmarkerades innan brevet hade skickats, och "
                    "brevet kunde inte göras om; det skickas inte."
                ),
                nar=nar,
            )
            continue
        if _som_nu(rad, brev):
            continue
        ny = _ersatt(rad, brev, nar=nar)
        if ny is not None:
            aterkallade.append(rad.pk)
            _skicka_efter(ny)
    return aterkallade


def _maskerad_sedan(rad: Utskick) -> Brev | None:
    """The e-mail as it must read now when an ärende ``rad`` names is marked now and the row
    says otherwise (marked after it was written, by whatever path); else None."""
    if not rad.mall or not rad.arenden.exclude(sekretess_lagrum="").exists():
        return None
    brev = gor(rad.mall, rad.data)
    return None if _som_nu(rad, brev) else brev


def _ta(pk: int, max_forsok: int) -> bool:
    """Take the row ``pk`` for sending and count the attempt, in a transaction of its own,
    if it is still to be sent, has been tried fewer than ``max_forsok`` times, and no other
    sender holds it or took it less than ``TAGEN`` ago; False if not."""
    nu = timezone.now()
    with transaction.atomic():
        ledig = (
            Utskick.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, skickad=None, aterkallad=None, forsok__lt=max_forsok)
            .filter(models.Q(tagen=None) | models.Q(tagen__lt=nu - TAGEN))
            .values_list("pk", flat=True)
            .first()
        )
        if ledig is None:
            return False
        Utskick.objects.filter(pk=pk).update(forsok=models.F("forsok") + 1, tagen=nu)
    return True


def skicka(pks=None, *, max_forsok: int = MAX_FORSOK) -> Omgang:
    """Send the rows ``pks`` (or every unsent row with fewer than ``max_forsok`` attempts),
    each under its row lock; a row another sender holds, has sent, or that was withdrawn
    (:func:`aterkalla`) is left alone. A row that names an ärende marked since it was written
    is not sent: it is replaced by the e-mail as it reads now (:func:`_ersatt`), which is sent
    in its place."""
    if pks is None:
        pks = list(oskickade(max_forsok=max_forsok).values_list("pk", flat=True))
    omgang = Omgang()
    if not pks:
        return omgang
    pks = list(pks)
    forbindelse = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or TIDSGRANS)
    for pk in pks:  # grows by the rows put in in place of others
        # the row is taken and the attempt counted, and committed, before it is sent: a
        # sender that dies sending it (killed, out of memory) rolls back all else, and a row
        # that kills its sender would otherwise be taken again for ever (Celery gives a
        # killed worker's message back, config.celery); after ``max_forsok`` it waits for
        # the operator
        if not _ta(pk, max_forsok):
            continue
        with transaction.atomic():
            # ours: another sender takes it only once TAGEN has passed (a withdrawal may
            # hold the lock a moment, and is seen)
            rad = (
                Utskick.objects.select_for_update()
                .filter(pk=pk, skickad=None, aterkallad=None)
                .first()
            )
            if rad is None:
                continue
            rad.tagen = None  # whatever becomes of it here, it is not held any longer
            try:
                brev = _maskerad_sedan(rad)
            except Exception as fel:  # the mall failed: nothing leaves, the operator is told
                rad.senaste_fel = f"{type(fel).__name__}: {fel}"[:2000]
                rad.save(update_fields=["senaste_fel", "tagen"])
                omgang.misslyckade.append(rad)
                continue
            if brev is not None:
                ny = _ersatt(rad, brev)
                if ny is not None:
                    pks.append(ny.pk)
                continue
            try:
                rad.meddelande(forbindelse).send()
            except Exception as fel:  # the mail server's refusal, kept for the operator
                rad.senaste_fel = f"{type(fel).__name__}: {fel}"[:2000]
                rad.save(update_fields=["senaste_fel", "tagen"])
                omgang.misslyckade.append(rad)
                continue
            rad.skickad = timezone.now()
            rad.save(update_fields=["skickad", "tagen"])
            skickat.send(sender=Utskick, utskick=rad)
            omgang.skickade += 1
    return omgang
