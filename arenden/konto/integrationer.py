"""What the system remembers of the other systems it talks to (issue 16): which identity at
an OpenID Connect provider an account is (:class:`OidcIdentitet`, read by ``arenden.konto.sso``),
and the answer an API call with an ``Idempotency-Key`` got (:class:`ApiIdempotens`, read by
``arenden.api.idempotens``)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workflow.context import history_user
from workflow.fieldhistory import SignedHistory


class OidcIdentitet(models.Model):
    """An account's identity at an identity provider: the ID token's issuer (``iss``) and
    subject (``sub``), which OpenID Connect Core 1.0 (2 and 5.7) says together are the only
    stable, unique identifier of the end user. The username claim may change or be given to
    someone else; this pair does not. The same ``sub`` from another issuer is another person."""

    utfardare = models.CharField(_("utfärdare (iss)"), max_length=255)
    subjekt = models.CharField(_("subjekt (sub)"), max_length=255)
    anvandare = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oidc_identiteter",
        verbose_name=_("användare"),
    )
    kopplad = models.DateTimeField(_("kopplad"), auto_now_add=True)
    senast = models.DateTimeField(_("senaste inloggning"), auto_now=True)
    #: which account an identity logs in as is a right: who tied it, and any change, is kept
    #: signed (a row changed in the database beside it is found, fieldhistory.compare_live);
    #: the time of the latest login is not part of it
    history = HistoricalRecords(
        get_user=history_user, bases=[SignedHistory], excluded_fields=["senast"]
    )

    class Meta:
        verbose_name = _("identitet hos identitetsleverantör")
        verbose_name_plural = _("identiteter hos identitetsleverantörer")
        constraints = [
            models.UniqueConstraint(fields=["utfardare", "subjekt"], name="oidc_en_identitet"),
        ]

    def __str__(self):
        return f"{self.subjekt} @ {self.utfardare}"


class ApiIdempotens(models.Model):
    """A creating API call sent with an ``Idempotency-Key``: the account's key, what was sent
    (a digest of the method, the address and the body) and the answer it got. A repeat with
    the same key and the same request gets that answer again and creates nothing; the same key
    with another request is refused."""

    anvandare = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    nyckel = models.CharField(_("nyckel"), max_length=255)
    begaran = models.CharField(_("begäran (SHA-256)"), max_length=64)
    metod = models.CharField(_("metod"), max_length=10)
    adress = models.CharField(_("adress"), max_length=500)
    status = models.PositiveSmallIntegerField(_("svarets status"))
    svar = models.JSONField(_("svaret"), encoder=DjangoJSONEncoder)
    skapad = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotensnyckel")
        verbose_name_plural = _("idempotensnycklar")
        constraints = [
            models.UniqueConstraint(fields=["anvandare", "nyckel"], name="api_nyckel_per_konto"),
        ]

    def __str__(self):
        return self.nyckel
