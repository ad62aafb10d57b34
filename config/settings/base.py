"""Settings read from the environment. Every variable and its default is listed in README.md."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A fixed development key keeps sessions valid across `make run` restarts; production sets one.
_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DEBUG=0.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "core",
    "portfolio",
    "readiness",
    "governance",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page's message.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # In production gunicorn serves static files through WhiteNoise; runserver does it in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio:initiative_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# Email: console by default so nothing leaves the machine until an SMTP host is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gatehouse@localhost")

# Celery: Redis when REDIS_URL is set; otherwise tasks run eagerly in the calling process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# A cache for figures that are costly on a large portfolio (core/caching.py): Redis when
# REDIS_URL is set, so every web worker shares it; otherwise memory inside each process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "gatehouse",
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# How long the dashboard's figures and the heatmap's summary row are reused; 0 turns it off.
AGGREGATE_CACHE_SECONDS = int(os.environ.get("AGGREGATE_CACHE_SECONDS", "30"))

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "portfolio-send-review-reminders": {
        "task": "portfolio.send_review_reminders",
        "schedule": crontab(hour=7, minute=0),  # 07:00 in CELERY_TIMEZONE
    },
    "governance-send-overdue-action-item-reminders": {
        "task": "governance.send_overdue_action_item_reminders",
        "schedule": crontab(hour=7, minute=5),
    },
    # An "iterate" decision comes back to the council as a new request on its due day.
    "governance-return-due-iterations": {
        "task": "governance.return_due_iterations",
        "schedule": crontab(hour=7, minute=10),
    },
    # The reports of the period that just ended (reporting/schedule.py); a worker that starts
    # catches up a missed one, and so does the daily entry, in case beat itself was down.
    "reporting-generate-monthly-report": {
        "task": "reporting.generate_scheduled_report",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
        "args": ("monthly",),
    },
    "reporting-generate-quarterly-report": {
        "task": "reporting.generate_scheduled_report",
        "schedule": crontab(minute=15, hour=6, day_of_month=1, month_of_year="1,4,7,10"),
        "args": ("quarterly",),
    },
    "reporting-catch-up-scheduled-reports": {
        "task": "reporting.catch_up_scheduled_reports",
        "schedule": crontab(minute=30, hour=6),
    },
    # Reports left queued or running by a worker that died: queued again, or failed with why.
    "reporting-sweep-stuck-reports": {
        "task": "reporting.sweep_stuck_reports",
        "schedule": crontab(minute="*/5"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with a WWW-Authenticate header.
        "core.throttling.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "core.permissions.HasGatehouseRole",
        "core.permissions.WriteRoleRequired",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # ?page=N and ?page_size=M (at most 500) on every list endpoint.
    "DEFAULT_PAGINATION_CLASS": "core.api.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "core.schema.GatehouseAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gatehouse API",
    "DESCRIPTION": "AI initiative portfolio governance: initiatives, problem statements, owners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.permissions.HasGatehouseRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per domain enum, whichever serializer uses it.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "portfolio.models.Stage",
        "InitiativeStatusEnum": "portfolio.models.Status",
        "RiskTierEnum": "portfolio.models.RiskTier",
        "AutonomyLevelEnum": "portfolio.models.AutonomyLevel",
        "AutonomyPromotionStatusEnum": "governance.models.AutonomyPromotionStatus",
        "GateDecisionEnum": "governance.models.Decision",
        "GateRequestStatusEnum": "governance.models.GateRequestStatus",
        "VoteChoiceEnum": "governance.models.VoteChoice",
        "SeatEnum": "governance.models.Seat",
        "AssessmentStatusEnum": "readiness.models.AssessmentStatus",
        "ActionItemStatusEnum": "governance.models.ActionItemStatus",
        "RiskStatusEnum": "governance.models.RiskStatus",
        "IncidentStatusEnum": "governance.models.IncidentStatus",
        "LeadershipDecisionStatusEnum": "governance.models.LeadershipDecisionStatus",
        "ItemReviewOutcomeEnum": "governance.models.ItemReviewOutcome",
        "ReReviewOutcomeEnum": "governance.models.ReReviewOutcome",
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container health check calls /healthz over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Throttled logins (core/throttling.py): wrong passwords are counted per username and address;
# at the limit that username is refused from that address, even with the right password, for
# LOGIN_LOCKOUT_MINUTES after the last counted failure. A successful login resets the count.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Invalid API tokens from one address before any token from it gets 429 (same minutes).
API_TOKEN_FAILURE_LIMIT = int(os.environ.get("API_TOKEN_FAILURE_LIMIT", "20"))
# Proxies in front of the app that append the client to X-Forwarded-For; 0: none, the
# connection's address is the client's. Too high a number lets clients pick their address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
for _name in ("LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES", "API_TOKEN_FAILURE_LIMIT"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out do not restart the clock, so "try again at" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_ip_address"
# Failures are what is throttled; successful logins are not logged a second time here.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command

# Gatehouse rules that operators tune.
PILOT_PURGATORY_DAYS = int(os.environ.get("PILOT_PURGATORY_DAYS", "90"))
GATE_REVIEW_DAYS = int(os.environ.get("GATE_REVIEW_DAYS", "7"))
# The length of a sprint: an "iterate" decision is a bounded fix of at most two of them.
SPRINT_DAYS = int(os.environ.get("SPRINT_DAYS", "14"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Who receives a report's PDF when a governance admin signs it off; empty: nobody is emailed.
REPORT_DISTRIBUTION_LIST = env_list("REPORT_DISTRIBUTION_LIST", "")
for _address in REPORT_DISTRIBUTION_LIST:
    try:
        validate_email(_address)
    except ValidationError:
        raise ImproperlyConfigured(
            f"REPORT_DISTRIBUTION_LIST: {_address!r} is not an email address."
        ) from None
# A report queued or running this long is stuck (its worker died or its message was lost): it is
# queued again, up to REPORT_STALE_RETRIES times, then failed with the reason. Keep it well above
# the generation task's hard time limit (6 minutes), or a slow build is taken for a dead one.
REPORT_STALE_AFTER_SECONDS = int(os.environ.get("REPORT_STALE_AFTER_SECONDS", "900"))
REPORT_STALE_RETRIES = int(os.environ.get("REPORT_STALE_RETRIES", "2"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO; only its warnings (a missing font) matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes narrates every login at INFO; failures and lockouts are its warnings.
        "axes": {"level": "WARNING"},
    },
}
