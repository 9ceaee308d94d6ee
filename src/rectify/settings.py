"""Settings, read from the environment (see README.md for every variable).

The embedded default needs nothing set: a SQLite file under ./var, files under ./var/media, tasks
inline. `RECTIFY_ENV=production` turns on the safe defaults and refuses to start without a real
secret key and allowed hosts.
"""

import base64
import contextlib
import hashlib
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
# Where runtime data lives by default: the working directory, so a checkout keeps its data in ./var.
DATA_DIR = Path(os.environ.get("RECTIFY_DATA_DIR", Path.cwd() / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting. A value that is neither (a typo such as "ture") is refused, never read as no."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"环境变量 {name} 的值“{os.environ[name]}”无法识别：应为 true/false、yes/no、on/off 或 1/0。"
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number of at least `minimum`; anything else is refused with the variable named."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 的值“{value}”不是整数。") from None
    if number < minimum:
        raise ImproperlyConfigured(f"环境变量 {name} 应不小于 {minimum}，现为 {number}。")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        raise ImproperlyConfigured(f"环境变量 {name} 的值“{value}”无效：应为 {'、'.join(choices)} 之一。")
    return value


def env_rate(name: str, default: str) -> str:
    """A django-ratelimit rate: a count per period, e.g. "5/h" or "100/10m"."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f"环境变量 {name} 的值“{value}”无效：应为“次数/时段”，如 5/h、100/10m。")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_bind(name: str, default: str) -> str:
    """Where a server listens: host:port ([::1]:8000 for IPv6) or unix:/path/to.sock."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"unix:/\S+|(\[[0-9A-Fa-f:.]+\]|[\w.-]+):\d{1,5}", value):
        raise ImproperlyConfigured(
            f"环境变量 {name} 的值“{value}”无效：应为“主机:端口”（如 127.0.0.1:8000）"
            "或“unix:套接字路径”（如 unix:/run/rectify/web.sock）。"
        )
    return value


def env_location(name: str) -> str:
    """An nginx location (a URL path beginning and ending with /), or empty for none."""
    value = os.environ.get(name, "").strip()
    if value and not re.fullmatch(r"/(?:[\w.~-]+/)+", value):
        raise ImproperlyConfigured(
            f"环境变量 {name} 的值“{value}”无效：应为以 / 开头并以 / 结尾的路径，如 /protected/media/。"
        )
    return value


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity mask: what taskset or a container allows)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


INSECURE_DEFAULT_KEY = "django-insecure-rectify-development-only"

ENVIRONMENT = env_choice("RECTIFY_ENV", "development", ("development", "production"))
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = env_str("RECTIFY_SECRET_KEY", INSECURE_DEFAULT_KEY)
DEBUG = env_bool("RECTIFY_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "RECTIFY_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
)

if PRODUCTION:
    if SECRET_KEY == INSECURE_DEFAULT_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "生产模式（RECTIFY_ENV=production）必须通过 RECTIFY_SECRET_KEY 设置至少 50 个字符的随机密钥。"
        )
    if DEBUG:
        raise ImproperlyConfigured("生产模式不得开启调试（RECTIFY_DEBUG）。")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("生产模式必须通过 RECTIFY_ALLOWED_HOSTS 设置允许访问的主机名。")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for the project's form renderer (rectify.forms)
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "ninja",  # so the API docs use its bundled Swagger UI, not a CDN
    "auditlog",
    "csp",  # its system checks (settings in the old format) and the {% csp_nonce %} tag, unused
    "rectify.security",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rectify.org",
    "rectify.accounts",
    "rectify.ledger",
    "rectify.meetings",
    "rectify.accountability",
    "rectify.progress",
    "rectify.notices",
    "rectify.supervision",
    "rectify.reports",
    "rectify.audit",
    "rectify.portal",
    "rectify.feedback",
    "rectify.search",
    "rectify.recurrence",
    "rectify.insights",
    "rectify.evaluation",
    "rectify.api",
    "rectify.demo",
    "rectify.server",
    "rectify.backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session idle too long ends here; then a login that still owes a step (the second factor, an
    # enrolment its organisation requires, a new password) reaches nothing but that step's page.
    "rectify.accounts.middleware.IdleSessionMiddleware",
    "rectify.accounts.middleware.LoginStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy, on every answer (see below).
    "csp.middleware.CSPMiddleware",
    "rectify.headers.SecurityHeadersMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Security events (rectify.security): the request for record() below any view; private downloads.
    "rectify.security.middleware.SecurityEventMiddleware",
    # A service's refusal that leaves a view becomes the error page (or JSON under /api/) here.
    "rectify.error_pages.RectifyErrorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rectify.urls"
WSGI_APPLICATION = "rectify.wsgi.application"

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
                "rectify.context_processors.roles",
            ],
            # The pager every list shows ({% load paging %}), kept in a shared module: it belongs to no app.
            "libraries": {"paging": "rectify.paging"},
        },
    },
]

# Forms draw their fields with one project template (templates/forms/field.html).
FORM_RENDERER = "rectify.forms.FormRenderer"

if not os.environ.get("DATABASE_URL"):
    # The embedded default keeps its SQLite file in the data folder: make the folder where it can be. Where
    # it cannot, commands that need no data still run; the first that does, and `rectify check`, say why.
    with contextlib.suppress(OSError):
        DATA_DIR.mkdir(parents=True, exist_ok=True)

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'rectify.sqlite3'}"),
            conn_max_age=env_int("RECTIFY_DB_CONN_MAX_AGE", 0),
            # A kept connection is checked before it is reused (PostgreSQL restarted meanwhile).
            conn_health_checks=True,
        )
    }
except ValueError as error:  # an unknown scheme or a malformed address
    raise ImproperlyConfigured(f"环境变量 DATABASE_URL 无法识别：{error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids lock upgrades failing mid-transaction.
    # Tests use a file too (not Django's shared in-memory database), so concurrent connections lock
    # and wait exactly as they do in production.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-rectify.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles a query's expressions once its estimated cost is high, which pays only for long
    # analytic queries: a search over a province's index spent 224 ms compiling for 270 ms of work.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password policy (等保 2.0 identity authentication): a minimum length, three of the four kinds of
# character, none of the last five passwords, and (when RECTIFY_PASSWORD_MAX_AGE_DAYS is set) an age
# after which the user must choose a new one before doing anything else. Page, admin and commands alike.
RECTIFY_PASSWORD_MIN_LENGTH = env_int("RECTIFY_PASSWORD_MIN_LENGTH", 10, minimum=8)
RECTIFY_PASSWORD_MAX_AGE_DAYS = env_int("RECTIFY_PASSWORD_MAX_AGE_DAYS", 0)  # 0: never expires
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "rectify.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": RECTIFY_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "rectify.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "rectify.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]

AUTH_USER_MODEL = "org.User"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # a lead leader lands on 我牵头的, everyone else on the inspections
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (per user name and address pair).
AXES_FAILURE_LIMIT = env_int("RECTIFY_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("RECTIFY_LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "rectify.org.lockout.lockout_response"
# Failures are forgotten once a login is complete: after the password where no second factor is owed,
# else after the code (rectify.accounts), so a right password cannot wipe the count of wrong codes.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("RECTIFY_STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_ROOT = Path(env_str("RECTIFY_MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded files are never served from MEDIA_URL: views check permission and stream them.
MEDIA_URL = "/media-not-served/"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
RECTIFY_NOTICE_MAX_BYTES = env_int("RECTIFY_NOTICE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
RECTIFY_EVIDENCE_MAX_BYTES = env_int("RECTIFY_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
megabyte = 1024 * 1024  # lower case: a helper, not a setting
# Evidence beyond one file: what one progress report may carry, and what a responsible unit may upload
# in a day (counted from the database), so that one account cannot fill the disk.
RECTIFY_EVIDENCE_MAX_FILES = env_int("RECTIFY_EVIDENCE_MAX_FILES", 10, minimum=1)
RECTIFY_EVIDENCE_MAX_REPORT_BYTES = env_int("RECTIFY_EVIDENCE_MAX_REPORT_MB", 50, minimum=1) * megabyte
RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES = env_int("RECTIFY_EVIDENCE_MAX_UNIT_DAY_MB", 500, minimum=1) * megabyte
# Evidence downloads: by default the view streams the file (FileResponse). Behind nginx, set this to an
# `internal` location that serves MEDIA_ROOT (deploy/nginx/rectify.conf: /protected/media/) and the view
# only checks permission and answers X-Accel-Redirect: nginx sends the file, no worker waits on it.
RECTIFY_ACCEL_REDIRECT = env_location("RECTIFY_ACCEL_REDIRECT")
# The first handler notes the name each file was sent under, before Django cuts a path off it.
FILE_UPLOAD_HANDLERS = [
    "rectify.multipart.SentNames",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Keys for fields encrypted at rest (senders' contacts): comma-separated Fernet keys, the first encrypts,
# all decrypt (rotation). Make one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# Development derives one from the secret key; production refuses to start without its own.
RECTIFY_FIELD_KEYS = env_list("RECTIFY_FIELD_KEYS")
if not RECTIFY_FIELD_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("生产模式必须通过 RECTIFY_FIELD_KEYS 设置字段加密密钥（Fernet 密钥）。")
    RECTIFY_FIELD_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"rectify-field-key:{SECRET_KEY}".encode()).digest()).decode()
    ]

# Cache: rate limits of the public forms must be shared by every worker process, so the default is a
# file cache under the data directory (one machine); RECTIFY_CACHE_URL=redis://… for several machines.
RECTIFY_CACHE_URL = env_str("RECTIFY_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": RECTIFY_CACHE_URL}
        if RECTIFY_CACHE_URL
        else {
            "BACKEND": "rectify.filecache.FileCache",  # Django's, its folder made when first needed
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}
# The portal keeps its rendered pages this long (a new publication replaces them at once); a notice's
# views are counted by each worker and added to the database every few seconds (notices.publishing),
# and the page shows the count of its last rendering.
RECTIFY_PORTAL_CACHE_SECONDS = env_int("RECTIFY_PORTAL_CACHE_SECONDS", 60, minimum=1)
# Public feedback: submissions allowed per address (django-ratelimit rate, e.g. "5/h").
RECTIFY_FEEDBACK_RATE = env_rate("RECTIFY_FEEDBACK_RATE", "5/h")
# Lookups of a reply by tracking code allowed per address (against guessing codes).
RECTIFY_FEEDBACK_LOOKUP_RATE = env_rate("RECTIFY_FEEDBACK_LOOKUP_RATE", "30/h")
# Behind a proxy, the client's address is the last one the proxy appended (RECTIFY_PROXY_COUNT proxies).
RECTIFY_PROXY_COUNT = env_int("RECTIFY_PROXY_COUNT", 0)

# API tokens live this long (days) before the user must ask for a new one.
RECTIFY_API_TOKEN_DAYS = env_int("RECTIFY_API_TOKEN_DAYS", 30, minimum=1)

SESSION_COOKIE_HTTPONLY = True
# A session lasts this long from login at most, however busy (the expiry is fixed at login)...
SESSION_COOKIE_AGE = env_int("RECTIFY_SESSION_SECONDS", 8 * 3600, minimum=60)
# ...and ends sooner when nobody used it for this many minutes (长时间未操作，请重新登录).
RECTIFY_SESSION_IDLE_MINUTES = env_int("RECTIFY_SESSION_IDLE_MINUTES", 30, minimum=1)
# The second factor (TOTP, django-otp): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "巡察整改督办平台"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "rectify.error_pages.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy: every script, style sheet, image and font comes from the site itself (no
# CDN: DESIGN §7), and no inline script, style or event handler runs (tests/test_security_headers.py
# scans the templates). data: images are for the SVG icons of the API's Swagger UI style sheet. One
# exception, django-rq's queue dashboard in the admin, which writes inline code: rectify.headers.
# RECTIFY_CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only (the
# browser reports and blocks nothing), to try a change of templates on a live site first;
# RECTIFY_CSP_REPORT_URI names where browsers send their reports, if anywhere.
RECTIFY_CSP_REPORT_ONLY = env_bool("RECTIFY_CSP_REPORT_ONLY", False)
RECTIFY_CSP_REPORT_URI = env_str("RECTIFY_CSP_REPORT_URI").strip()
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if RECTIFY_CSP_REPORT_URI:
    _CSP_DIRECTIVES["report-uri"] = [RECTIFY_CSP_REPORT_URI]
if RECTIFY_CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
# Browser features no page of the site uses, refused to every page and anything it might embed
# (rectify.headers.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "hid",
        "bluetooth",
        "browsing-topics",
    )
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("RECTIFY_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("RECTIFY_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("RECTIFY_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("RECTIFY_CSRF_TRUSTED_ORIGINS")
    # Behind the proxy, the app serves its own collected static files (no CDN, no extra server).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# `rectify serve`: gunicorn on this address, with 2 × CPUs + 1 worker processes (gunicorn's advice for
# a site that waits on its database about as long as it computes) of 2 threads each, so that a request
# waiting on PostgreSQL does not idle its process. Each web server opens up to workers × threads
# connections to PostgreSQL.
RECTIFY_WEB_BIND = env_bind("RECTIFY_WEB_BIND", "127.0.0.1:8000")
RECTIFY_WEB_WORKERS = env_int("RECTIFY_WEB_WORKERS", 2 * cpu_count() + 1, minimum=1)
RECTIFY_WEB_THREADS = env_int("RECTIFY_WEB_THREADS", 2, minimum=1)
# Seconds a request may take before its worker is restarted (nginx's proxy_read_timeout is longer).
RECTIFY_WEB_TIMEOUT = env_int("RECTIFY_WEB_TIMEOUT", 60, minimum=1)

EMAIL_BACKEND = env_str("RECTIFY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("RECTIFY_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("RECTIFY_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("RECTIFY_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("RECTIFY_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("RECTIFY_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("RECTIFY_EMAIL_SSL", False)
EMAIL_TIMEOUT = 10
# For the file-based backend (RECTIFY_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend).
EMAIL_FILE_PATH = env_str("RECTIFY_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("RECTIFY_EMAIL_FROM", "巡察整改督办平台 <noreply@localhost>")

# Public address of the site, for links in e-mails, robots and calendar feeds.
RECTIFY_SITE_URL = env_str("RECTIFY_SITE_URL", "http://127.0.0.1:8000")
# Hosts the 企业微信/钉钉 robots may be reached at; a user cannot make the server call anything else.
RECTIFY_WEBHOOK_HOSTS = env_list("RECTIFY_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com")

LOG_LEVEL = env_choice("RECTIFY_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False

# How long the audit trail (auditlog's entries and the security events) is kept before `rectify tick`
# or `rectify purge-audit` deletes it: at least 180 days (等级保护 2.0 asks for six months); a smaller
# value is refused at start-up rather than silently raised.
RECTIFY_AUDIT_RETENTION_DAYS = env_int("RECTIFY_AUDIT_RETENTION_DAYS", 180, minimum=180)

# Background work through Django's tasks framework (the django-tasks backport on 5.2): run inline
# by default; "database" for one server with `rectify db_worker`; "rq" on Redis with
# `rectify rqworker default` where several machines share the work.
RECTIFY_TASKS_BACKEND = env_choice("RECTIFY_TASKS_BACKEND", "immediate", ("immediate", "database", "rq"))
RECTIFY_REDIS_URL = env_str("RECTIFY_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
TASKS = {"default": _TASK_BACKENDS[RECTIFY_TASKS_BACKEND]}
RQ_QUEUES = {"default": {"URL": RECTIFY_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# django-tasks-rq's jobs need its own job class in the worker.
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
