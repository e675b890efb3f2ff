"""Settings, read from the environment (12-factor).

Only the environment decides: DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, REDIS_URL, EMAIL_URL,
DEBUG, HTTPS. With none set, Hexie runs on SQLite under ``var/`` with a secret key generated
once and kept there, so the first start of a county server needs no configuration.
"""

import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab

PACKAGE_DIR = Path(__file__).resolve().parent


def _home() -> Path:
    """Where ``var/`` lives: HEXIE_HOME, else the source checkout, else the working directory."""
    if os.environ.get("HEXIE_HOME"):
        return Path(os.environ["HEXIE_HOME"]).resolve()
    checkout = PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").exists():
        return checkout
    return Path.cwd()


HOME = _home()
VAR_DIR = Path(os.environ.get("HEXIE_VAR_DIR", HOME / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "hexie.core.apps.OperatorAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hexie.core",
    "hexie.regions",
    "hexie.accounts",
    "hexie.units",
    "hexie.standards",
    "hexie.campaigns",
    "hexie.assessments",
    "hexie.recognition",
    "hexie.publicity",
    "hexie.notifications",
    "hexie.documents",
    "hexie.monitoring",
    "hexie.healthcheck",
    "hexie.surveys",
    "hexie.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hexie.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # Idle sign-out, then the two-factor step, then an expired password (accounts.middleware).
    "hexie.accounts.middleware.SignInGateMiddleware",
    # One row per call made with an API token, after the response (issue 10 §5).
    "hexie.accounts.access_log.ApiAccessLogMiddleware",
]

ROOT_URLCONF = "hexie.urls"
WSGI_APPLICATION = "hexie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hexie.site.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hexie.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front (the audit chain needs that), WAL lets
    # readers go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 等保 2.0 level 2: length and three of four character classes, the last N not reused
    # (accounts.passwords; the thresholds are the HEXIE_PASSWORD_* settings below).
    {"NAME": "hexie.accounts.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hexie.accounts.passwords.HistoryValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Sign-in hardening (issue 10 §4; accounts.twofactor, passwords, signins, middleware) ----
# Two-factor sign-in (TOTP) required for office, assessor and partner roles (and operators);
# unit admins and coordinators may enrol themselves. `hexie up` with the demo turns it off.
HEXIE_REQUIRE_2FA = env.bool("HEXIE_REQUIRE_2FA", default=True)
HEXIE_PASSWORD_MIN_LENGTH = env.int("HEXIE_PASSWORD_MIN_LENGTH", default=10)
HEXIE_PASSWORD_HISTORY = env.int("HEXIE_PASSWORD_HISTORY", default=5)  # 0 = any may repeat
HEXIE_PASSWORD_MAX_AGE_DAYS = env.int("HEXIE_PASSWORD_MAX_AGE_DAYS", default=90)  # 0 = never
HEXIE_SESSION_IDLE_MINUTES = env.int("HEXIE_SESSION_IDLE_MINUTES", default=30)  # 0 = off
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Hexie 和谐劳动关系")
# After each wrong code the next try waits FACTOR × 2^(failures-1) seconds (django-otp).
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_STATIC_THROTTLE_FACTOR", default=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind TLS (the normal production case) set HTTPS=true: cookies become secure-only and HSTS
# is sent. The local demo on http://127.0.0.1:8000 keeps it off or login would not work.
if env.bool("HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)

# --- Language -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["hexie.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "files")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UNIT_IMPORT_MAX_BYTES = env.int("UNIT_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
# The unit list counts at most this many matches ("共 1,000+ 个单位"); docs/decisions.md D17.
UNIT_LIST_COUNT_CAP = env.int("UNIT_LIST_COUNT_CAP", default=1_000)

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hexie@localhost")

# --- Background work ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# One cache for every gunicorn worker when Redis is there (the survey links' per-address limit
# counts across workers); a process-local cache on a single county box without it.
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "hexie"}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
)}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the same task runs inline, so a one-server install needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The daily deadline reminders (hexie.notifications.tasks; idempotent, see docs/decisions.md D23).
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "hexie.notifications.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),  # in TIME_ZONE: 07:00 Beijing time
    },
    "purge-invitation-lists": {
        "task": "hexie.units.tasks.purge_invitation_lists",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Other systems send an API token (accounts.tokens); people use the pages' session. No
    # Basic authentication: a person's password never travels with API calls (issue 10 §5).
    # The token class comes first so a missing or bad credential answers 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hexie.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["hexie.accounts.authentication.TokenRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "hexie.core.api.HexieAutoSchema",  # 400 → Error everywhere
    "EXCEPTION_HANDLER": "hexie.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hexie 和谐劳动关系创建活动平台 API",
    "DESCRIPTION": "浙人社发〔2023〕17号 和谐劳动关系创建活动的数据接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Hexie ----------------------------------------------------------------------------------
HEXIE_PROVINCE_CODE = "33"
# Days the audit log stays in the table; unset keeps it for good. Never below 183 (网络安全法
# 第二十一条: logs kept at least six months; a system check refuses less). Older events may be
# moved by `hexie audit archive` to files under HEXIE_AUDIT_ARCHIVE_DIR, their hash recorded.
HEXIE_AUDIT_RETENTION_DAYS = env.int("HEXIE_AUDIT_RETENTION_DAYS", default=None)
HEXIE_AUDIT_ARCHIVE_DIR = Path(env.str("HEXIE_AUDIT_ARCHIVE_DIR",
                                       default=str(VAR_DIR / "audit-archive")))

# API tokens (accounts.tokens): the longest validity an office may give, the default one, and
# the calls a token may make (DRF rate: "<n>/<sec|min|hour|day>").
HEXIE_API_TOKEN_MAX_DAYS = env.int("HEXIE_API_TOKEN_MAX_DAYS", default=365)
HEXIE_API_TOKEN_DAYS = env.int("HEXIE_API_TOKEN_DAYS", default=90)
HEXIE_API_TOKEN_RATE = env.str("HEXIE_API_TOKEN_RATE", default="600/min")
HEXIE_DEMO_PASSWORD = env.str("HEXIE_DEMO_PASSWORD", default="Hexie@2026")
# Imports of at least this many rows (and at least as many as the registry holds) load with the
# table's secondary indexes dropped and rebuilt (PostgreSQL only; docs/decisions.md D16).
HEXIE_IMPORT_BULK_ROWS = env.int("HEXIE_IMPORT_BULK_ROWS", default=100_000)
# maintenance_work_mem for rebuilding those indexes, set for the import's transaction only.
HEXIE_IMPORT_MAINTENANCE_WORK_MEM = env.str("HEXIE_IMPORT_MAINTENANCE_WORK_MEM", default="256MB")
# Account invitations (issue 10): how long a link stays valid, and the address links start with
# when no request supplies one (the `hexie accounts create` command).
HEXIE_INVITATION_DAYS = env.int("HEXIE_INVITATION_DAYS", default=7)
HEXIE_BASE_URL = env.str("HEXIE_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A password-reset link an office issues from a person's page (accounts.services
# .issue_password_reset) works this many hours, once: it stops working when the password changes.
HEXIE_PASSWORD_RESET_HOURS = env.int("HEXIE_PASSWORD_RESET_HOURS", default=24)
PASSWORD_RESET_TIMEOUT = HEXIE_PASSWORD_RESET_HOURS * 3600
# Files holding secrets (the lists of invitation links an import makes): outside MEDIA_ROOT,
# never served except through their scoped, audited download view; deleted when their
# invitations expire (units.tasks.purge_invitation_lists, daily, and on access).
HEXIE_PRIVATE_ROOT = Path(env.str("HEXIE_PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# The public "单位申请开通账号" form: submissions per IP address per hour.
HEXIE_ACCESS_REQUESTS_PER_HOUR = env.int("HEXIE_ACCESS_REQUESTS_PER_HOUR", default=5)
