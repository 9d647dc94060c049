"""The process that routes one ärende's tasks between people (viewflow), linked to the ärende.

The process is a to-do list, not a record: the ärende's state lives only in its FSM field and
changes only through the engine. An ärende has at most one open process at a time; a paused
ärende (vilande) ends its process and gets a new one when it is taken up again, so over its
life an ärende may have several."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.managers import ProcessQuerySet
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS


class ArendeProcessQuerySet(ProcessQuerySet):
    def oppna(self):
        return self.filter(status=PROCESS.NEW)


class ArendeProcess(Process):
    """One run of the ärende's flow (:class:`flows.processer.ArendeFlow`).

    ``data`` holds what the flow itself must remember, nothing about the ärende that the
    ärende already says: ``yttranden``, the organs asked for a yttrande (a list of
    ``{"organ": pk, "namn": …, "besvarat": bool, "handling": pk | None}``)."""

    arende = models.ForeignKey(
        "arenden.Arende",
        on_delete=models.PROTECT,
        related_name="processer",
        verbose_name=_("ärende"),
    )

    objects = ArendeProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("ärendeprocess")
        verbose_name_plural = _("ärendeprocesser")

    def __str__(self):
        return _("Process %(pk)s för ärende %(arende)s") % {"pk": self.pk, "arende": self.arende_id}


class SkickadPaminnelse(models.Model):
    """That a handläggare was reminded of an uppdrag in one of its two situations (due soon,
    overdue), and when: the bevakning reminds of each once, however often it runs."""

    class Lage(models.TextChoices):
        SNART = "snart", _("förfaller snart")
        FORSENAT = "forsenat", _("försenat")

    mottagare = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mottagare"),
    )
    uppdrag = models.ForeignKey(
        "arenden.Uppdrag", on_delete=models.CASCADE, related_name="+", verbose_name=_("uppdrag")
    )
    lage = models.CharField(_("läge"), max_length=10, choices=Lage.choices)
    skickad = models.DateTimeField(_("skickad"), auto_now_add=True)

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")
        constraints = [
            models.UniqueConstraint(
                fields=["mottagare", "uppdrag", "lage"], name="paminnelse_en_gang"
            )
        ]

    def __str__(self):
        return f"{self.mottagare_id} {self.uppdrag_id} {self.lage}"
