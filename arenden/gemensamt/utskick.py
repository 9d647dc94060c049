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
(``Arende.publik_rubrik``) and attach the public version of a kallelse."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: how many times ``manage.py skicka_utskick`` tries a row before it leaves it to the operator
MAX_FORSOK = 20
#: seconds a mail server may take to answer, unless ``EMAIL_TIMEOUT`` says otherwise: a row
#: stays locked while it is sent
TIDSGRANS = 10


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
    #: withdrawn before it was sent (:func:`aterkalla`), and why in the system's own words:
    #: the row is kept as the record of what was not sent, and no sender sends it
    aterkallad = models.DateTimeField(_("återkallat"), null=True, blank=True)
    aterkallad_skal = models.TextField(_("varför det återkallades"), blank=True)

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
        text = f"{self.skapad:%Y-%m-%d %H:%M} {self.amne}"
        return f"{text} ({_('återkallat')})" if self.aterkallad else text

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


def lagg_i_utskick(
    *, amne: str, text: str, till=(), dold_kopia=(), bilaga: tuple | None = None
) -> Utskick:
    """Put an e-mail in the outbox in the caller's transaction; it is tried once that
    commits. ``bilaga`` is (filename, content, media type)."""
    namn, innehall, typ = bilaga or ("", None, "")
    if isinstance(innehall, str):
        innehall = innehall.encode()
    rad = Utskick.objects.create(
        till=list(till),
        dold_kopia=list(dold_kopia),
        # one line: a line break in a subject would fail every attempt to send it
        amne=" ".join(amne.split()),
        text=text,
        bilaga_namn=namn,
        bilaga_typ=typ or "",
        bilaga=innehall,
    )

    def skicka_nu():
        from config import celery

        # with a broker a worker sends it, off the request; the row lock in skicka() makes a
        # redelivered message harmless. The message names the row, never its content: the
        # worker reads the e-mail from this table (OSL 5 kap. 5 §)
        celery.utfor("arenden.utskick.skicka", [rad.pk])

    # robust: a failure here is logged (a refusal is also recorded on the row), and must not
    # turn the committed step into an error page
    transaction.on_commit(skicka_nu, robust=True)
    return rad


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


def skicka(pks=None, *, max_forsok: int = MAX_FORSOK) -> Omgang:
    """Send the rows ``pks`` (or every unsent row with fewer than ``max_forsok`` attempts),
    each under its row lock; a row another sender holds, has sent, or that was withdrawn
    (:func:`aterkalla`) is left alone."""
    if pks is None:
        pks = list(oskickade(max_forsok=max_forsok).values_list("pk", flat=True))
    omgang = Omgang()
    if not pks:
        return omgang
    forbindelse = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or TIDSGRANS)
    for pk in pks:
        with transaction.atomic():
            rad = (
                Utskick.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, skickad=None, aterkallad=None)
                .first()
            )
            if rad is None:
                continue
            rad.forsok += 1
            try:
                rad.meddelande(forbindelse).send()
            except Exception as fel:  # the mail server's refusal, kept for the operator
                rad.senaste_fel = f"{type(fel).__name__}: {fel}"[:2000]
                rad.save(update_fields=["forsok", "senaste_fel"])
                omgang.misslyckade.append(rad)
                continue
            rad.skickad = timezone.now()
            rad.save(update_fields=["forsok", "skickad"])
            skickat.send(sender=Utskick, utskick=rad)
            omgang.skickade += 1
    return omgang
