"""Settings of the test provider. The signing key and the database file come from the
environment the test fixture starts it with."""

import os

SECRET_KEY = os.environ.get("LEVERANTOR_HEMLIG_NYCKEL", "testleverantor-inte-hemlig-0123456789")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "Europe/Stockholm"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_leverantor.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("LEVERANTOR_DATABAS", ":memory:"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/logga-in/"
# the project's own cookies live on the same host (127.0.0.1): the provider's have other names
SESSION_COOKIE_NAME = "leverantor_session"
CSRF_COOKIE_NAME = "leverantor_csrf"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ.get("LEVERANTOR_RSA_NYCKEL", ""),
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_leverantor.urls.Validator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "email": "E-postadress",
        "profile": "Namn och användarnamn",
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
