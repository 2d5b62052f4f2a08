"""The one settings module. Every knob is an environment variable ``GRASSROOTS_*``.

Small strict helpers read them: a value that does not parse stops the start-up with a
message naming the variable, rather than silently falling back to a default.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets classes such as ModelAdmin[Unit] be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(env_str("GRASSROOTS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use GRASSROOTS_SECRET_KEY, or a key generated once into the data directory."""
    key = env_str("GRASSROOTS_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _field_keys() -> list[str]:
    """The keys that encrypt personal data at rest (``common.crypto``): GRASSROOTS_FIELD_KEYS
    (comma-separated Fernet keys, the first encrypts, all decrypt: add a new key in front to
    rotate), or one key generated once into the data directory. Kept apart from SECRET_KEY:
    changing the secret key must not make the stored ID numbers unreadable."""
    keys = env_list("GRASSROOTS_FIELD_KEYS", [])
    if keys:
        return keys
    path = DATA_DIR / "field_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    return [path.read_text().strip()]


FIELD_KEYS = _field_keys()
DEBUG = env_bool("GRASSROOTS_DEBUG", False)
ALLOWED_HOSTS = env_list("GRASSROOTS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GRASSROOTS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "grassroots.common",
    "grassroots.org",
    "grassroots.audit",
    "grassroots.events",
    "grassroots.supervision",
    "grassroots.cadres",
    "grassroots.residents",
    "grassroots.registers",
    "grassroots.partybuilding",
    "grassroots.oversight",
    "grassroots.assessment",
    "grassroots.mobile",
    "grassroots.dashboards",
    "grassroots.portal",
    "grassroots.open311",
    "grassroots.inbox",
    "grassroots.demo",
    "grassroots.api",
]

MIDDLEWARE = [
    "grassroots.common.middleware.RequestIdMiddleware",
    # 503 with Retry-After, not a 500, while the database is unreachable (common/dbdown.py).
    "grassroots.common.dbdown.DatabaseDownMiddleware",
    # Counts and times every request for /metrics (common.prometheus).
    "grassroots.common.prometheus.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the process itself, compressed and cached (docs/operations.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "grassroots.common.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle and absolute session expiry (GRASSROOTS_SESSION_IDLE_MINUTES, _HOURS).
    "grassroots.common.middleware.SessionExpiryMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (TOTP).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An administrator's session opens nothing but the code step until verified (org.twofactor).
    "grassroots.org.twofactor.AdminTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
WSGI_APPLICATION = "grassroots.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grassroots.common.context.navigation",
                "grassroots.inbox.context.unread_count",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
_db_url = env_str("GRASSROOTS_DATABASE_URL")
if _db_url:
    DATABASES: dict[str, dict[str, Any]] = {
        "default": dict(dj_database_url.parse(_db_url, conn_max_age=60, conn_health_checks=True))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "grassroots.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE makes a writing
                # transaction take the write lock at BEGIN, so two writers queue on the
                # busy timeout instead of one failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# A streaming replica for the reads that can bear its lag (``common.routers``).
if _replica_url := env_str("GRASSROOTS_REPLICA_URL"):
    DATABASES["replica"] = dict(
        dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    )
    # The test suite has no second server: there the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# A database server that stopped answering fails a connection within seconds (/healthz
# answers 503), unless the URL names its own ?connect_timeout=.
for _database in DATABASES.values():
    if "postgresql" in _database["ENGINE"]:
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASE_ROUTERS = ["grassroots.common.routers.ReplicaRouter"]
if _test_db := env_str("GRASSROOTS_TEST_DB_NAME"):
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": _test_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------
# The public forms' captcha challenges and rate limits live in the cache, so every web
# process must share it: with several processes set GRASSROOTS_CACHE_URL (redis://… for
# Redis, file:///path for a directory on one machine). The default, one process's memory,
# suits `grassroots demo` (a single process) and the tests.
_cache_url = env_str("GRASSROOTS_CACHE_URL")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
elif _cache_url.startswith("file://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _cache_url.removeprefix("file://"),
        }
    }
elif _cache_url:
    raise ImproperlyConfigured(
        "GRASSROOTS_CACHE_URL must start with redis://, rediss:// or file://"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background jobs ------------------------------------------------------------------
_queue_url = env_str("GRASSROOTS_QUEUE_URL")
HUEY: dict[str, Any] = {
    "name": "grassroots",
    # Always explicit: djhuey otherwise follows DEBUG silently.
    "immediate": env_bool("GRASSROOTS_QUEUE_IMMEDIATE", False),
    "utc": True,
    "consumer": {
        "workers": env_int("GRASSROOTS_WORKER_THREADS", 2, minimum=1),
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    },
}
if _queue_url:
    HUEY["huey_class"] = "huey.RedisHuey"
    # Bounded waits (unless the URL names its own): a Redis that stopped answering makes
    # /healthz answer 503 within seconds instead of hanging (the consumer waits 1 s a read).
    _sep = "&" if "?" in _queue_url else "?"
    for _param, _seconds in (("socket_connect_timeout", 3), ("socket_timeout", 5)):
        if f"{_param}=" not in _queue_url:
            _queue_url += f"{_sep}{_param}={_seconds}"
            _sep = "&"
    HUEY["url"] = _queue_url
else:
    HUEY["huey_class"] = "huey.SqliteHuey"
    HUEY["filename"] = str(DATA_DIR / "queue.sqlite3")

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Three of: lower-case, upper-case, digits, symbols (等级保护).
    {"NAME": "grassroots.common.passwords.CharacterClassesValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("GRASSROOTS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("GRASSROOTS_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The reverse proxies whose X-Forwarded-For is believed (gunicorn_conf reads the same
# variable): behind nginx, log-in throttling and the portal's rate limits count the client,
# not the proxy (``common.http.client_ip``).
TRUSTED_PROXIES = env_list("GRASSROOTS_FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
AXES_CLIENT_IP_CALLABLE = "grassroots.common.http.client_ip"

# Two-factor log-in (TOTP) for administrators (org.twofactor); off only for demonstrations.
ADMIN_TWO_FACTOR = env_bool("GRASSROOTS_ADMIN_2FA", True)
OTP_TOTP_ISSUER = "Grassroots"

# --- security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("GRASSROOTS_SESSION_HOURS", 12, minimum=1) * 3600
# A session unused this long ends (common.middleware.SessionExpiryMiddleware).
SESSION_IDLE_SECONDS = env_int("GRASSROOTS_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
_https = env_bool("GRASSROOTS_HTTPS", False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
# The load balancer's and Prometheus's probes come over plain HTTP on the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("GRASSROOTS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# ``grassroots serve`` collects the files; WhiteNoise serves them gzip/brotli-compressed.
# Their names carry no content hash (a manifest would make every page depend on a collected
# copy, the tests included), so browsers keep them an hour, not forever.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = env_int("GRASSROOTS_STATIC_MAX_AGE", 3600, minimum=0)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    "EXCEPTION_HANDLER": "grassroots.api.exceptions.handle",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grassroots API",
    "DESCRIPTION": "基层治理与目督考核平台 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- working time ---------------------------------------------------------------------
# Office hours that "working hours" deadlines count, as HH:MM-HH:MM spans.
WORK_HOURS = env_list("GRASSROOTS_WORK_HOURS", ["08:30-12:00", "14:30-18:00"])

# --- events ---------------------------------------------------------------------------
# Prefix of event numbers (XC20261125000123): the city's short code.
EVENT_NUMBER_PREFIX = env_str("GRASSROOTS_EVENT_NUMBER_PREFIX", "XC")
# An event this many working hours past its handling deadline is escalated to the parent unit.
EVENT_ESCALATE_AFTER_HOURS = env_int("GRASSROOTS_EVENT_ESCALATE_AFTER_HOURS", 8, minimum=0)
# Reminders go out this many working hours before a handling deadline.
EVENT_REMIND_BEFORE_HOURS = env_int("GRASSROOTS_EVENT_REMIND_BEFORE_HOURS", 4, minimum=0)
PHOTO_MAX_BYTES = env_int("GRASSROOTS_PHOTO_MAX_MB", 10, minimum=1) * 1024 * 1024
# SMS: dotted path of the backend class; the default writes each message to the log.
SMS_BACKEND = env_str("GRASSROOTS_SMS_BACKEND", "grassroots.common.sms.LogBackend")

# --- dashboards, maps and the portal ------------------------------------------------------
# A dashboard's figures shared by its viewers are kept this long (0: always counted anew).
DASHBOARD_CACHE_SECONDS = env_int("GRASSROOTS_DASHBOARD_CACHE_SECONDS", 300, minimum=0)
# The closed months of the 12-month trends are kept this long (the current month is live).
DASHBOARD_MONTHS_SECONDS = env_int("GRASSROOTS_DASHBOARD_MONTHS_SECONDS", 3600, minimum=0)
# Figures of the units above township level counted ahead by the worker are good this long.
DASHBOARD_SNAPSHOT_SECONDS = env_int("GRASSROOTS_DASHBOARD_SNAPSHOT_SECONDS", 1200, minimum=0)
# A map of a unit with more grids than this is drawn by the areas one level down.
DASHBOARD_MAP_MAX_GRIDS = env_int("GRASSROOTS_DASHBOARD_MAP_MAX_GRIDS", 2000, minimum=1)
# Bulletin renderings one client may start per hour from the public portal.
PORTAL_BULLETINS_PER_HOUR = env_int("GRASSROOTS_PORTAL_BULLETINS_PER_HOUR", 20, minimum=1)

# --- audit log sealing ----------------------------------------------------------------
AUDIT_BLOCK_SIZE = env_int("GRASSROOTS_AUDIT_BLOCK_SIZE", 2000, minimum=1)
AUDIT_SEAL_DELAY_SECONDS = env_int("GRASSROOTS_AUDIT_SEAL_DELAY_SECONDS", 2, minimum=0)
# An entry still unsealed this long after a seal that emptied the queue is reported by verify.
AUDIT_SEAL_GRACE_SECONDS = env_int("GRASSROOTS_AUDIT_SEAL_GRACE_SECONDS", 300, minimum=0)

# --- cryptography ---------------------------------------------------------------------
# "standard": Fernet (AES) for personal data at rest, SHA-256 for the audit chain.
# "gm" (国密): SM4 for personal data at rest, SM3 for the audit chain (docs/security.md).
CRYPTO_SUITE = env_str("GRASSROOTS_CRYPTO", "standard").strip().lower()
if CRYPTO_SUITE not in {"standard", "gm"}:
    raise ImproperlyConfigured(f"GRASSROOTS_CRYPTO must be standard or gm, not {CRYPTO_SUITE!r}")

# --- metrics -------------------------------------------------------------------------
# /metrics answers this bearer token from anywhere, and a direct client on this machine
# without it (common.prometheus); empty: only the local clients.
METRICS_TOKEN = env_str("GRASSROOTS_METRICS_TOKEN").strip()

# --- logs -----------------------------------------------------------------------------
# "text" for a person at a terminal, "json" (one object a line) for a log collector.
LOG_FORMAT = env_str("GRASSROOTS_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"GRASSROOTS_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "grassroots.common.logs.RequestIdFilter"},
        # ID numbers and mobile numbers in any line are masked (common.logs.MaskingFilter).
        "mask_personal": {"()": "grassroots.common.logs.MaskingFilter"},
    },
    "formatters": {
        "json": {"()": "grassroots.common.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_personal"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("GRASSROOTS_LOG_LEVEL", "WARNING")},
    # The worker's own lines (a job started, finished, failed) at INFO, once: run_huey adds
    # a plain-text handler of its own to a "huey" logger that has none, and its lines then
    # reached the console twice, once in our format and once in Huey's.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
