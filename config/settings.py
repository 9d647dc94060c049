"""Settings for the ärendehantering project.

Zero configuration gives a working development set-up on SQLite in the project folder.
Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/arenden`` (default: SQLite file)
- ``DATABASE_REPLICA_URL``: a PostgreSQL streaming replica for the read-only pages
  (config.dbrouter); ``CELERY_BROKER_URL``: documents, e-mail and timers on Celery workers
  (config.celery). README, "Drift på flera maskiner".
- ``DJANGO_PRODUCTION=1``: production mode (``DEBUG`` off, secure cookies, HSTS, SSL redirect);
  then ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS`` must be set.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = os.environ.get("DJANGO_PRODUCTION", "") in {"1", "true", "yes"}
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "1") in {"1", "true", "yes"}

if PRODUCTION:
    try:
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
    except KeyError as missing:
        raise ImproperlyConfigured(f"Produktionsläge kräver miljövariabeln {missing}") from None
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY ska vara minst 50 slumpmässiga tecken i produktionsläge."
        )
else:
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "utveckling-endast-inte-hemlig-nyckel-byt-i-produktion-0123456789"
    )
    ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
        ","
    )

# The workflow history's key (workflow.hashing): kept outside the database so that whoever
# holds the database cannot rewrite the signed chain. WORKFLOW_HISTORY_KEY_ID names the
# current key; WORKFLOW_HISTORY_OLD_KEYS ("id:nyckel id:nyckel") keeps earlier keys verifying
# after a rotation (README, "Historiknyckeln"). Production refuses the development default;
# without WORKFLOW_HISTORY_KEY there a key derived from DJANGO_SECRET_KEY is used.
_UTV_HISTORIKNYCKEL = "utveckling-endast-inte-hemlig-historiknyckel-byt-i-produktion"
# the domain's comparisons of what a protokoll is computed from with its signed history, for
# the whole check of the history (workflow.history.verify)
WORKFLOW_LIVE_CHECKS = [
    "arenden.granskning.speglingar.avvikelser",
    "arenden.konto.behorigheter.avvikelser",
    "arenden.dokument.arkivering.avvikelser",
    "arenden.granskning.tillstand.avvikelser",
]
WORKFLOW_HISTORY_KEY = os.environ.get("WORKFLOW_HISTORY_KEY", "")
WORKFLOW_HISTORY_KEY_ID = os.environ.get("WORKFLOW_HISTORY_KEY_ID", "")
if PRODUCTION and WORKFLOW_HISTORY_KEY in {"", _UTV_HISTORIKNYCKEL}:
    if WORKFLOW_HISTORY_KEY:
        raise ImproperlyConfigured("WORKFLOW_HISTORY_KEY får inte vara utvecklingsnyckeln.")
    import hashlib as _hashlib

    WORKFLOW_HISTORY_KEY = _hashlib.sha256(f"historik\n{SECRET_KEY}".encode()).hexdigest()
    WORKFLOW_HISTORY_KEY_ID = WORKFLOW_HISTORY_KEY_ID or "hemlig-nyckel"
if PRODUCTION and len(WORKFLOW_HISTORY_KEY) < 32:
    raise ImproperlyConfigured("WORKFLOW_HISTORY_KEY ska vara minst 32 slumpmässiga tecken.")
WORKFLOW_HISTORY_KEY = WORKFLOW_HISTORY_KEY or _UTV_HISTORIKNYCKEL
WORKFLOW_HISTORY_KEY_ID = WORKFLOW_HISTORY_KEY_ID or "utv"
WORKFLOW_HISTORY_OLD_KEYS = dict(
    par.split(":", 1)
    for par in os.environ.get("WORKFLOW_HISTORY_OLD_KEYS", "").split()
    if ":" in par
)
# signed checkpoints of every chain head, outside the database (workflow.checkpoint)
WORKFLOW_CHECKPOINT_DIR = os.environ.get(
    "WORKFLOW_CHECKPOINT_DIR", str(BASE_DIR / "kontrollpunkter")
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    # throttling and lockout of logins (arenden.konto.inloggning)
    "axes",
    # the second factor after the password (arenden.konto.totp)
    "django_otp",
    "django_otp.plugins.otp_totp",
    # viewflow: the base app gives the ``workflow_timers`` command; viewflow.workflow (label
    # "viewflow") holds the process and task tables the flows in flows/ run on
    "viewflow",
    "viewflow.workflow",
    "workflow",
    "arenden",
    "flows",
    # the REST API for integrations (arenden.api), its tokens and its OpenAPI 3 schema
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # sortable, filterable lists (arenden.gemensamt.listor)
    "django_tables2",
    "django_filters",
]
# the benchmark (tests/benchmark, ``manage.py benchmark``) is measurement code beside the tests:
# an app in development and in the tests, never in production, where tests/ is not installed
if not PRODUCTION:
    INSTALLED_APPS.append("tests.benchmark")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # a NUL in the path leads to no page (and never into a query)
    "arenden.gemensamt.sidor.NollteckenIAdressen",
    # an upload larger than a handling may be is refused before its body is read
    "arenden.dokument.filer.Storleksgrans",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # whether this session gave a one-time code, and no page before it for those who must
    "django_otp.middleware.OTPMiddleware",
    "arenden.konto.totp.AndraFaktor",
    "django.contrib.messages.middleware.MessageMiddleware",
    # a session left alone too long ends (SESSION_INAKTIV_MINUTER)
    "arenden.konto.inloggning.Inaktivitet",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # the read-only pages may read from a replica; a session that wrote reads the primary
    "config.dbrouter.Replikalasning",
    "workflow.context.ActorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # what a logged-in user is shown may be secret: never kept in a cache (OSL)
    "arenden.gemensamt.sidor.IngenLagring",
    # only the site's own scripts and styles, no framing
    "arenden.gemensamt.sidor.Innehallspolicy",
    # an address that only takes a form, opened directly: a Swedish page, not an empty 405
    "arenden.gemensamt.metod.MetodSida",
    # every refusal of the engine or a service: a message and back, never a 500
    "workflow.middleware.RefusalMiddleware",
    # a number past what the database holds, in Django's own admin forms: a 400, not a 500
    "arenden.gemensamt.indata.OrimligaTal",
    "axes.middleware.AxesMiddleware",
]

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "arenden.konto.inloggning.utelast"
AXES_USERNAME_CALLABLE = "arenden.konto.inloggning.anvandarnamn"
AXES_VERBOSE = False

# Roles that must give a one-time code (TOTP) after the password, see arenden.konto.totp; "admin"
# means superusers and staff. Empty: password logins (development, the demo, the tests).
OTP_KRAVS_FOR_ROLLER: tuple[str, ...] = ()
OTP_TOTP_ISSUER = "Ärendehantering"

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # whether the login page offers the organisation's single sign-on
                "arenden.konto.sso.sammanhang",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0 if DEBUG else 60,
        # a persistent connection is checked before a request uses it: after a database
        # restart the next request gets a new connection instead of a 500
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE: a transaction that will write takes the write lock at once, so two
    # transitions on SQLite queue up instead of both reading the old state.
    # WAL: readers never wait for the writer and a commit appends to the log instead of
    # rewriting pages; synchronous=NORMAL syncs at checkpoints, not at every commit. The
    # trade-off (README, "Konfiguration"): an application crash loses nothing, but a power
    # cut or an operating-system crash may lose the last commits before the checkpoint. A
    # region's production runs on PostgreSQL; SQLite is the embedded default.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )

# A PostgreSQL streaming replica for the read-only pages (config.dbrouter, README
# "Drift på flera maskiner"): DATABASE_REPLICA_URL, e.g. postgres://postgres@replika:5432/arenden.
# Writes, locks and transactions stay on the primary; a session that wrote reads from the
# primary for DATABASE_REPLICA_PIN_SECONDS seconds. Without it: one database.
DATABASE_ROUTERS: list[str] = []
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "5"))
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
    # in the tests the replica serves the primary's test database (it streams the whole
    # cluster), so it is a mirror, never created or migrated itself
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.dbrouter.Replikarouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: where ``manage.py workflow_check`` looks for the ids the code and templates name
# the code and templates of the domain and the processes, and the benchmark, which drives them
WORKFLOW_REFERENCE_ROOTS = [
    BASE_DIR / "arenden",
    BASE_DIR / "flows",
    BASE_DIR / "tests" / "benchmark",
]

AUTHENTICATION_BACKENDS = [
    # first: a locked-out user is refused before any password is checked
    "arenden.konto.inloggning.Inloggningsspärr",
    # the password, and permissions without an object read from their signed records
    "arenden.konto.behorigheter.Behorighetsregister",
    # user.has_perm(perm, obj) answered from the object's workflow state and the roles in context
    "workflow.backends.WorkflowBackend",
    # a ledamot reads the meetings they are kallad to (arenden.sammantraden.ledamot)
    "arenden.sammantraden.ledamot.Ledamotsbehorighet",
    # the registrator, nämndsekreterare and stabschef watch motioner (arenden.motion)
    "arenden.motion.behorighet.Motionsbevakning",
]

# Single sign-on with OpenID Connect beside the local accounts (arenden.konto.sso, README
# "Inloggning med OpenID Connect"): on when the provider's endpoints and this client's id and
# secret are in the environment. DJANGO_OIDC_ROLLER maps values of the groups claim to roles,
# as JSON: {"diariet": ["Registrator"], "hsn-stab": ["Stabschef@HSN"]}.
OIDC_RP_CLIENT_ID = os.environ.get("DJANGO_OIDC_KLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("DJANGO_OIDC_KLIENTHEMLIGHET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("DJANGO_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("DJANGO_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("DJANGO_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("DJANGO_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("DJANGO_OIDC_SIGNERINGSALGORITM", "RS256")
OIDC_RP_SCOPES = os.environ.get("DJANGO_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_ANVANDARNAMN_CLAIM = os.environ.get("DJANGO_OIDC_ANVANDARNAMN_CLAIM", "preferred_username")
OIDC_GRUPPER_CLAIM = os.environ.get("DJANGO_OIDC_GRUPPER_CLAIM", "groups")
OIDC_ROLLER = os.environ.get("DJANGO_OIDC_ROLLER", "{}")
if all(
    (
        OIDC_RP_CLIENT_ID,
        OIDC_RP_CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    )
):
    AUTHENTICATION_BACKENDS.append("arenden.konto.sso.OrganisationensKonto")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "arenden:start"
LOGOUT_REDIRECT_URL = "arenden:postlista"

# No viewflow frontend site is mounted, so viewflow adds none of its middleware by itself.
VIEWFLOW = {"AUTOREGISTER": False}

# Reminders (the bevakning job) go out by e-mail: printed to the console in development,
# sent over SMTP in production (DJANGO_EMAIL_HOST and friends).
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DJANGO_EMAIL_USE_TLS", "") in {"1", "true", "yes"}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "arenden@localhost")

# Timed jobs (flow timers, bevakning of återrapportering) run from cron by default; with
# CELERY_BROKER_URL set (and the optional "celery" extra installed) Celery beat runs them,
# see config/celery.py.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TIMEZONE = TIME_ZONE
# the queue the web nodes send to and the workers read (a CI run uses its own)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")

# a session lasts a working day at most and ends with the browser
SESSION_COOKIE_AGE = 9 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# … and ends after this many minutes without a request (arenden.konto.inloggning.Inaktivitet)
SESSION_INAKTIV_MINUTER = int(os.environ.get("DJANGO_SESSION_INAKTIV_MINUTER", "30"))

# a form without a valid CSRF token is refused in Swedish, with a way back
CSRF_FAILURE_VIEW = "arenden.gemensamt.sidor.formularet_gammalt"

# The REST API (arenden.api): a token for an integration's service account, the session (with
# CSRF) for the browser; the same has_perm as the pages; errors as problem details (RFC 9457)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "arenden.api.nyckel.Tjanstekonto",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "arenden.api.tolkare.JSONTolkare",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "arenden.api.problem.hantera",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ärendehantering API",
    "DESCRIPTION": "Ärenden, handlingar, övergångar, arbetslistor, historik, sammanträden och "
    "publicerade protokoll. Samma behörighet som sidorna; fel som problem details (RFC 9457).",
    "VERSION": "1",
    "LICENSE": {"name": "AGPL-3.0-or-later"},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # the documentation page's scripts and styles are served from this site (the CSP)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# simple-history must never be a way to move a workflow state around the engine: the revert
# button is off everywhere, and workflow.admin refuses the revert POST as well.
SIMPLE_HISTORY_REVERT_DISABLED = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    # the proxy's header is trusted only when a proxy that sets it is said to be there
    if os.environ.get("DJANGO_TRUST_PROXY", "") in {"1", "true", "yes"}:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    OTP_KRAVS_FOR_ROLLER = ("Stabschef", "Registrator", "Nämndsekreterare", "Revisor", "admin")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # WeasyPrint notes at every PDF which font subsetting library it uses; not for the log
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
