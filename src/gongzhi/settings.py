"""Django settings for gongzhi.

Everything that differs between machines comes from the environment:
DATABASE_URL, GONGZHI_DATA_DIR, GONGZHI_SECRET_KEY, GONGZHI_ENCRYPTION_KEY,
GONGZHI_HMAC_KEY, GONGZHI_ENCRYPTION_OLD_KEYS, GONGZHI_DEBUG, GONGZHI_ALLOWED_HOSTS.
"""
import os
from pathlib import Path

import dj_database_url

from gongzhi.core import cacheurl
from gongzhi.core.logconfig import logging_config as observability_logging
from gongzhi.core.keys import load_or_create_dev_keys

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GONGZHI_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("GONGZHI_DEBUG", "0") == "1"
PRODUCTION = os.environ.get("GONGZHI_ENV") == "production"

# Keys never live in the repository. In production they must come from the
# environment; on a developer machine they are generated once into DATA_DIR.
_keys = load_or_create_dev_keys(DATA_DIR, required=PRODUCTION)
SECRET_KEY = _keys["GONGZHI_SECRET_KEY"]
GONGZHI_ENCRYPTION_KEY = _keys["GONGZHI_ENCRYPTION_KEY"]
GONGZHI_HMAC_KEY = _keys["GONGZHI_HMAC_KEY"]
# Retired encryption keys (comma-separated base64), still read during a key rotation: docs/security.md.
GONGZHI_ENCRYPTION_OLD_KEYS = _keys["GONGZHI_ENCRYPTION_OLD_KEYS"]

ALLOWED_HOSTS = os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # its templates and static Swagger UI: the API docs work offline (gongzhi/api.py)
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.places",
    "gongzhi.audit",
    "gongzhi.people",
    "gongzhi.workorders",
    "gongzhi.ledgers",
    "gongzhi.digests",
    "gongzhi.disclosure",
    "gongzhi.desks",
    "gongzhi.governance",
    "gongzhi.projects",
    "gongzhi.elections",
    "gongzhi.admission",
    "gongzhi.cadres",
    "gongzhi.standards",
    "gongzhi.volunteers",
    "gongzhi.network",
    "gongzhi.care",
    "gongzhi.estates",
]

MIDDLEWARE = [
    # first: the request id on every log line, and the request's time and queries for /metrics
    "gongzhi.core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor was given
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongzhi.core.middleware.ScopeMiddleware",
    "gongzhi.core.middleware.SessionLifetimeMiddleware",  # reads the posts the scope loads
    # the code step, forced password change, mandatory two-factor set-up: nothing else until done
    "gongzhi.accounts.middleware.SignInSecurityMiddleware",
    "gongzhi.core.middleware.NoStoreMiddleware",
    "gongzhi.core.middleware.RefuseNulMiddleware",  # a NUL byte in a page's parameters: 400, never a query
    "simple_history.middleware.HistoryRequestMiddleware",
    # too many failed sign-ins from one source address: that address waits (429), before Axes looks
    "gongzhi.audit.middleware.LoginThrottleMiddleware",
    # Axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# One cache for every process of every node (API keys, the catalogue, staff look-ups, the
# calendar's and grids' change marks): Redis or the database by GONGZHI_CACHE_URL; unset,
# files under DATA_DIR/cache (one node, all its workers). core/cacheurl.py, docs/operations.md.
CACHES = {"default": cacheurl.parse(os.environ.get("GONGZHI_CACHE_URL"), data_dir=DATA_DIR)}

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

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
                "gongzhi.core.context_processors.scope",
                "gongzhi.core.context_processors.module_context",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'gongzhi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(Path(DATABASES["default"]["NAME"]).with_suffix(".test.sqlite3"))}
else:
    # No JIT compilation: the platform's statements are many and short, and compiling a complex plan cost
    # more than running it (care's due-visits list: 2.1 s of JIT for 0.1 s of work; a roll build 0.5 s)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password rules of MLPS level 3 (gongzhi.accounts.passwords; messages in Chinese): length, three of four
# character classes, not like the user name or name, not a common password, not one of the last few.
GONGZHI_PASSWORD_MIN_LENGTH = int(os.environ.get("GONGZHI_PASSWORD_MIN_LENGTH", "8"))
GONGZHI_PASSWORD_HISTORY = int(os.environ.get("GONGZHI_PASSWORD_HISTORY", "5"))
# Days a password lasts before its owner must change it, where the locality requires it (0: never).
GONGZHI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("GONGZHI_PASSWORD_MAX_AGE_DAYS", "0"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gongzhi.accounts.passwords.MinimumLengthValidator",
     "OPTIONS": {"min_length": GONGZHI_PASSWORD_MIN_LENGTH}},
    {"NAME": "gongzhi.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gongzhi.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "gongzhi.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "gongzhi.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"keep": GONGZHI_PASSWORD_HISTORY}},
]
# Two-factor sign-in (gongzhi.accounts.two_factor): "mandatory" for accounts whose posts grant one of
# GONGZHI_2FA_CAPABILITIES (and superusers), "staff" for every staff account, "off" for nobody (development;
# the test suite sets it off in tests/conftest.py, and the tests of two-factor sign-in turn it on).
GONGZHI_2FA_REQUIRED = os.environ.get("GONGZHI_2FA_REQUIRED", "mandatory")
GONGZHI_2FA_CAPABILITIES = [c.strip() for c in os.environ.get(
    "GONGZHI_2FA_CAPABILITIES",
    "manage_accounts,manage_account_security,view_audit,view_access_log,unmask,export").split(",") if c.strip()]
OTP_TOTP_ISSUER = "共治"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows an authenticator's secret
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Repeated failed logins lock the account (per username) for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GONGZHI_LOGIN_COOLOFF_HOURS", "0.25"))
# Locked per account AND source address, for a fixed time: someone who only knows "admin" cannot keep
# the admin locked out from their own office by trying again and again from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# Never the address alone: a street office shares one NAT address, and locking it would lock out
# every colleague.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# ... but one source address that fails this many sign-ins (whatever the usernames) within the window
# waits until its failures fall out of the window (gongzhi.audit.throttle, counted in the audit trail,
# so every worker and node sees the same count); a NAT'd office trying its own passwords stays well below.
LOGIN_SOURCE_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_SOURCE_FAILURE_LIMIT", "30"))
LOGIN_SOURCE_WINDOW_MINUTES = int(os.environ.get("GONGZHI_LOGIN_SOURCE_WINDOW_MINUTES", "15"))
# Sustained attempts raise a security alert (audit trail + the security staff's home page): this many
# failures for one account, or from one source, within the window.
LOGIN_ALERT_FAILURES = int(os.environ.get("GONGZHI_LOGIN_ALERT_FAILURES", "10"))
LOGIN_ALERT_WINDOW_MINUTES = int(os.environ.get("GONGZHI_LOGIN_ALERT_WINDOW_MINUTES", "60"))
# The source address of a request: behind the TLS proxy the socket's address is the proxy's, so
# X-Forwarded-For is read when the request comes from one of these (addresses or networks; the
# local host by default, like gunicorn's forwarded_allow_ips). Axes, the throttle, the audit trail
# and the access log all read the address this way (gongzhi.audit.services.client_ip).
TRUSTED_PROXIES = [p for p in os.environ.get(
    "GONGZHI_TRUSTED_PROXIES", os.environ.get("GONGZHI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")).split(",") if p.strip()]
AXES_CLIENT_IP_CALLABLE = "gongzhi.audit.services.client_ip"

# Idle sessions expire: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("GONGZHI_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# ... and every session ends this long after sign-in, however active (core.middleware.SessionLifetimeMiddleware)
SESSION_MAX_SECONDS = int(os.environ.get("GONGZHI_SESSION_MAX_SECONDS", str(12 * 3600)))
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "gongzhi.core.views.csrf_failure"  # in Chinese, in the site's layout

# Production sits behind a TLS-terminating reverse proxy (nginx or the office's gateway) that sets
# X-Forwarded-Proto: HTTPS only, cookies only over HTTPS, browsers told to keep to HTTPS.
# `gongzhi check --deploy` is clean with GONGZHI_ENV=production (tests/core/test_production_settings.py).
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("GONGZHI_SSL_REDIRECT", "1") == "1"
    # a load balancer's and a scraper's plain-HTTP checks on the node itself (core/health.py)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("GONGZHI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GONGZHI_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = False  # a government intranet name is not for the browsers' preload list
    SILENCED_SYSTEM_CHECKS += ["security.W021"]  # ... which is all W021 asks for
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
# zh-Hans is the one UI language: Django's own messages too, whatever the browser asks for
LANGUAGES = [("zh-hans", "简体中文")]
# ISO dates first in every language, so <input type="date"> keeps its value (gongzhi/formats/__init__.py)
FORMAT_MODULE_PATH = ["gongzhi.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Every kept file (uploads, case files) goes through this storage: local disk by default, an
# S3-compatible store shared by all app nodes with GONGZHI_STORAGE_URL=s3://... (core/storage.py).
from gongzhi.core.storage import default_storage_setting  # noqa: E402

STORAGES = {
    "default": default_storage_setting(os.environ.get("GONGZHI_STORAGE_URL"), DATA_DIR / "media"),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files (attachments, case files) are readable by the server's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# An import file larger than this is refused with a clear message (split it and import in parts).
IMPORT_MAX_BYTES = int(os.environ.get("GONGZHI_IMPORT_MAX_MB", "100")) * 2**20
# Data rows one import file may hold; the other limits (zip, XML, cells) are in people/import_sources.py.
IMPORT_MAX_ROWS = int(os.environ.get("GONGZHI_IMPORT_MAX_ROWS", "1000000"))
# Import uploads and rejected-rows reports older than this are deleted (a crashed or abandoned job's too).
UPLOAD_RETENTION_HOURS = float(os.environ.get("GONGZHI_UPLOAD_RETENTION_HOURS", "24"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Content Security Policy: scripts only from our own static files (nothing
# inline, no CDN). Inline styles stay allowed: Leaflet and templates use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True  # history is evidence, not an undo button

# JSON lines with the request's id (X-Request-ID) on every line written while it runs
# (core/observability.py); GONGZHI_LOG_FORMAT=text for a person at a terminal.
LOGGING = observability_logging(os.environ.get("GONGZHI_LOG_FORMAT", "json"),
                                os.environ.get("GONGZHI_LOG_LEVEL", "WARNING").upper())
# /metrics: a scraper sends "Authorization: Bearer <token>"; unset, only callers on this machine
# (not through a proxy) may read it (core/health.py).
GONGZHI_METRICS_TOKEN = os.environ.get("GONGZHI_METRICS_TOKEN", "")

# Where work-order notices go besides the in-app inbox (dotted paths of classes
# with send(user, text)); e.g. add "gongzhi.workorders.notify.EmailSender".
GONGZHI_NOTIFY_SENDERS = [p for p in os.environ.get(
    "GONGZHI_NOTIFY_SENDERS", "gongzhi.workorders.notify.ConsoleSender").split(",") if p]

# The job queue (core/jobs.py, docs/operations.md "Jobs and workers"): Django's tasks framework (the django-tasks
# backport) with its database backend, so the embedded SQLite default and a shared PostgreSQL both
# hold the queue; `gongzhi worker` runs the tasks (`gongzhi serve` starts one beside itself).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker writes its beat this often; a task whose worker has not been seen for GONGZHI_WORKER_STALE_SECONDS
# is put back in the queue (kill -9, a lost node), at most GONGZHI_JOB_MAX_DELIVERIES times.
GONGZHI_WORKER_BEAT_SECONDS = float(os.environ.get("GONGZHI_WORKER_BEAT_SECONDS", "5"))
GONGZHI_WORKER_STALE_SECONDS = float(os.environ.get("GONGZHI_WORKER_STALE_SECONDS", "60"))
GONGZHI_JOB_MAX_DELIVERIES = int(os.environ.get("GONGZHI_JOB_MAX_DELIVERIES", "3"))
# How often the overdue sweep runs across all nodes (seconds).
GONGZHI_SWEEP_EVERY = int(os.environ.get("GONGZHI_SWEEP_EVERY", "60"))
