"""Equitext settings, read from the environment.

Local development: `make run` / `make test` write `.data/local.env` (database and Redis on loopback, a
generated SECRET_KEY, plain HTTP; DEBUG stays off, `EQUITEXT_DEV_DEBUG=1` shows debug pages on
loopback). Real environment variables always win over that file. Anywhere else, SECRET_KEY must be
given; nothing falls back to an insecure default.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EQUITEXT_DATA_DIR", BASE_DIR / ".data"))

env = environ.Env()
LOCAL_ENV_FILE = DATA_DIR / "local.env"
if LOCAL_ENV_FILE.exists():
    # overwrite=False: variables already in the environment keep their value.
    environ.Env.read_env(LOCAL_ENV_FILE, overwrite=False)

# Under pytest (or a worker process a test starts) the suite uses its own Redis database and its own
# test database name, so a running `make run` never consumes test tasks or sees test data.
TESTING = os.environ.get("EQUITEXT_TESTING") == "1" or "pytest" in sys.modules

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (any long random string); "
        "`make run` generates one for local development into .data/local.env."
    )
DEBUG = env.bool("DEBUG", default=False)
# `make run` (`.data/local.env`): plain HTTP on loopback and static files straight from static/, with
# DEBUG still off, so a local server reachable by raters shows them no traceback and no route list.
EQUITEXT_LOCAL_DEV = env.bool("EQUITEXT_LOCAL_DEV", default=False)
# Django's debug pages for the developer only: answered to loopback clients that came through no proxy
# (apps/core/debug_pages.py); everyone else gets the normal pages. Off unless set to 1.
EQUITEXT_DEV_DEBUG = env.bool("EQUITEXT_DEV_DEBUG", default=False)
_PLAIN_HTTP = DEBUG or EQUITEXT_LOCAL_DEV
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "template_partials",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.metrics",
    "apps.scoring",
    "apps.corpus",
    "apps.equity",
    "apps.reviews",
    "apps.elevate",
    "apps.instruments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads the body: an oversized request answers 413 (apps/core/limits.py).
    "apps.core.limits.RequestSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.ServiceUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into a clear 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "apps.urls"
WSGI_APPLICATION = "apps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Django 6 has {% partialdef %} built in; on 5.2 django-template-partials provides the same tag.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://equitext@127.0.0.1:54329/equitext")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"NAME": "test_equitext" + os.environ.get("EQUITEXT_TEST_DB_SUFFIX", "")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must point to PostgreSQL (postgres://…); nothing else is supported."
    )


def _redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:56379/0")
if TESTING:
    REDIS_URL = _redis_db(REDIS_URL, env.int("EQUITEXT_TEST_REDIS_DB", default=15))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_VERBOSE = False
# Usernames of any length or content are recorded cut to axes' 255-character column (no 500 on log-in).
AXES_USERNAME_CALLABLE = "apps.accounts.authentication.axes_username"

# Email (rater invitations). The console backend prints messages; set SMTP values to send them.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Equitext <equitext@localhost>")


LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (_PLAIN_HTTP or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Local development and tests serve static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = _PLAIN_HTTP or TESTING
WHITENOISE_AUTOREFRESH = _PLAIN_HTTP

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Product rules ---
# Corpus: the curator who last changed a segment may not approve it (four-eyes review).
CORPUS_APPROVAL_BY_OTHER_CURATOR = env.bool("CORPUS_APPROVAL_BY_OTHER_CURATOR", default=False)
# Reward model: the weekly retrain runs only when this many approved pairs are new since the last version.
REWARD_RETRAIN_MIN_NEW_PAIRS = env.int("REWARD_RETRAIN_MIN_NEW_PAIRS", default=50)


# --- Limits (one place; apps/core/limits.py enforces them, every refusal names the variable to change) ---
_MB = 1024 * 1024
# Request body without its files (form fields, JSON): larger answers 413. Django reads the first two.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("EQUITEXT_MAX_REQUEST_MB", default=10) * _MB
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("EQUITEXT_MAX_FORM_FIELDS", default=1000)
# One uploaded import file (corpus, EquityMedQA questions and answers, invitations).
EQUITEXT_MAX_UPLOAD_MB = env.int("EQUITEXT_MAX_UPLOAD_MB", default=50)
# Data rows in one import file (corpus, EquityMedQA); invitations stay at 1,000 per file.
EQUITEXT_MAX_IMPORT_ROWS = env.int("EQUITEXT_MAX_IMPORT_ROWS", default=200_000)
# Characters: segment original/simplified text and readability input; model or imported answers;
# free-text comments (rating text questions' default, ELEVATE comments, adjudication reasons).
EQUITEXT_MAX_TEXT_CHARS = env.int("EQUITEXT_MAX_TEXT_CHARS", default=20_000)
# The grade formula the target grade is compared against (apps/metrics/grades.py: a key of GRADE_FORMULAS).
EQUITEXT_READABILITY_TARGET_FORMULA = env(
    "EQUITEXT_READABILITY_TARGET_FORMULA", default="flesch_kincaid_grade"
)
EQUITEXT_MAX_ANSWER_CHARS = env.int("EQUITEXT_MAX_ANSWER_CHARS", default=50_000)
EQUITEXT_MAX_COMMENT_CHARS = env.int("EQUITEXT_MAX_COMMENT_CHARS", default=5_000)
# A study's internal description and the instructions its raters read.
EQUITEXT_MAX_DESCRIPTION_CHARS = env.int("EQUITEXT_MAX_DESCRIPTION_CHARS", default=2_000)
EQUITEXT_MAX_INSTRUCTIONS_CHARS = env.int("EQUITEXT_MAX_INSTRUCTIONS_CHARS", default=10_000)

# --- Security (production values by default; `manage.py check --deploy` stays clean) ---
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not _PLAIN_HTTP)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not _PLAIN_HTTP)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not _PLAIN_HTTP)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if _PLAIN_HTTP else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not _PLAIN_HTTP
SECURE_HSTS_PRELOAD = not _PLAIN_HTTP
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy: scripts only from this origin (no inline script, no eval); inline style
# attributes stay allowed (progress bars and chart widths are set in templates).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Cursor pages, newest first by id, `page_size` up to 500 (apps/core/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",  # adds the error answers (400/401/403/404/409)
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Equitext API",
    "DESCRIPTION": "Parallel health-text corpus, model runs, equity review and ELEVATE assessments.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models call their choices `status` or `kind`: give each set a readable, stable name.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "apps.core.models.Job.Status",
        "WebhookDeliveryStatusEnum": "apps.core.models.WebhookDelivery.Status",
        "SegmentStatusEnum": "apps.corpus.models.Status",
        "SplitEnum": "apps.corpus.models.Split",
        "ImportStateEnum": "apps.corpus.models.ImportBatch.State",
        "AssessmentStatusEnum": "apps.elevate.models.Assessment.Status",
        "ItemResponseStatusEnum": "apps.elevate.models.ItemResponse.Status",
        "QuestionSetKindEnum": "apps.equity.models.QuestionSet.Kind",
        "RubricKindEnum": "apps.reviews.models.Rubric.Kind",
        "StudyStatusEnum": "apps.reviews.models.Study.Status",
        "AssignmentStatusEnum": "apps.reviews.models.Assignment.Status",
        "SkipReasonEnum": "apps.reviews.models.Assignment.SkipReason",
        "ItemFlagKindEnum": "apps.reviews.models.ItemFlag.Kind",
        "ModelRunKindEnum": "apps.scoring.models.ModelRun.Kind",
        "InstrumentAssessmentOriginEnum": "apps.instruments.models.InstrumentAssessment.Origin",
    },
}

# --- Celery (queues: `default` for web-side work, `gpu` for model work) ---
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True  # results and progress live in the Job table
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
