"""Who an API key is for: an integration's service account, an ordinary user with the roles
the integration needs, never an administrator (``manage.py api_nyckel``). Asked both when a
key is made and whenever one is used: an account that was given a key and later made staff
or superuser in the admin is no longer let in by it, so the key never carries an
administrator's rights past the rule."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def ar_administrator(user) -> bool:
    """Whether ``user`` configures the system (staff or superuser): no API key is theirs."""
    return bool(user.is_superuser or user.is_staff)


class Tjanstekonto(TokenAuthentication):
    """DRF's key, for a service account only (:func:`ar_administrator`)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if ar_administrator(user):
            raise AuthenticationFailed(
                _(
                    "API-nyckeln hör till ett administratörskonto och gäller inte: en nyckel "
                    "ges bara ett vanligt konto med de roller integrationen behöver."
                )
            )
        return user, token
