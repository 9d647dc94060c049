"""Logging in: password throttling and lockout, the second factor (TOTP), single sign-on (OpenID
Connect)."""
