"""The record of a form already sent (idempotent sending)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Inskick(models.Model):
    """A form sent once: the key its page gave it, and where the first sending led. A double
    click or a resent form finds the key taken and is led to the same place, so nothing is
    created twice (:func:`arenden.gemensamt.inskick.en_gang`)."""

    nyckel = models.CharField(_("nyckel"), max_length=64, unique=True)
    anvandare = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    svar = models.CharField(_("ledde till"), max_length=500, blank=True)
    skickat = models.DateTimeField(_("skickat"), auto_now_add=True)

    class Meta:
        verbose_name = _("inskick")
        verbose_name_plural = _("inskick")

    def __str__(self):
        return self.nyckel
