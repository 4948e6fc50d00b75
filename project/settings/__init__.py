"""Django settings.

The defaults are the embedded mode: a SQLite file, the in-memory channel layer and a Celery
broker on the local file system, so the API runs with no external services. Environment
variables switch each engine: `DATABASE_URL` to PostgreSQL, `REDIS_URL` to Redis for the
channel layer, the Celery broker and the shared cache. Order in this file: environment,
core Django, database, API framework, then the concerns that grew their own modules
(`celery.py`, `logging.py`), imported last. `project.settings_test` changes only speed.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# Environment.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing: set it to a long random string, or set DEBUG=1 for local development."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is missing: set it to the comma-separated host names this server serves.")

REDIS_URL = env_str("REDIS_URL")
HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000)
# Base of absolute URLs built outside a request (WebSocket events, Celery tasks).
PUBLIC_URL = env_str("PUBLIC_URL", f"http://{HOST}:{PORT}").rstrip("/")

# Core Django.
INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "apps.accounts",
    "apps.feed",
    "apps.engagement",
]

# Every middleware here is async-capable, so an ASGI request takes no thread hop in them.
# project.security.SecurityMiddleware replaces Django's SecurityMiddleware and does the parts
# of CommonMiddleware and XFrameOptionsMiddleware that these settings use.
MIDDLEWARE = [
    "project.middleware.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "project.security.SecurityMiddleware",
]
# Django looks for its own middleware classes by path in W001 and W002, but project.security
# registers the same SECURE_* checks and sends X-Frame-Options itself. W003 requests CSRF
# protection, which guards cookie sessions; this API authenticates by bearer token only.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W003"]

ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
APPEND_SLASH = False
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Media go to S3-compatible storage through django-storages when a bucket is named, else to
# MEDIA_ROOT. django-storages reads the credentials from the environment itself
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and boto3 falls back to an
# instance or task role; the other options are read here under django-storages' names.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
# Another S3-compatible service (MinIO, Ceph, Cloudflare R2), e.g. https://minio.example.com.
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
# "path" for services without per-bucket host names (MinIO); unset lets boto3 choose.
AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE") or None
# A CDN or public bucket host for media URLs; django-storages then builds unsigned URLs.
AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None
AWS_LOCATION = env_str("AWS_LOCATION", "")
AWS_DEFAULT_ACL = env_str("AWS_DEFAULT_ACL") or None
# Signed media URLs for a private bucket, valid AWS_QUERYSTRING_EXPIRE seconds.
AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", True)
AWS_QUERYSTRING_EXPIRE = env_int("AWS_QUERYSTRING_EXPIRE", 3600)
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if AWS_STORAGE_BUCKET_NAME
        else "django.core.files.storage.FileSystemStorage"
    },
    # collectstatic also writes a gzip copy of each file; project.staticfiles serves it to
    # clients that accept gzip.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
SERVE_MEDIA = env_bool("SERVE_MEDIA", not AWS_STORAGE_BUCKET_NAME)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Request bodies: JSON is capped low, uploads are checked again by the image validators.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 12 * 1024 * 1024)

# Security. HTTPS settings take effect behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Container and load balancer probes use plain HTTP, so they are never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# The API authenticates with bearer tokens and sets no cookie; should one be added, it
# travels over HTTPS only outside development.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Proxies in front of the servers that append to X-Forwarded-For. Rate limits count
# anonymous clients by the address that many hops back; 0 uses the connecting address, which
# a client cannot forge.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_EXPOSE_HEADERS = ["Link", "Location", "X-Request-ID", "Retry-After", "Idempotent-Replayed"]

# Database.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and WAL avoid "database is locked" under concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI each request runs in its own thread, so persistent connections leak;
    # a pool bounds the connections per process instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 2),
        "max_size": env_int("DB_POOL_MAX_SIZE", 10),
        "timeout": 10,
    }

# Cache: shared through Redis in production so throttles hold across processes.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Channels.
if REDIS_URL:
    # redis-py 8 times out idle reads after 5 s by default, which kills channels-redis
    # consumers blocked in BZPOPMIN for 5 s, so the timeout is set above that.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}], "capacity": 1000},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Without a shared channel layer, events from other processes (the Celery worker) reach
# sockets through the stored inbox, polled at this interval. Zero turns polling off.
NOTIFICATIONS_POLL_SECONDS = env_int("NOTIFICATIONS_POLL_SECONDS", 0 if REDIS_URL else 1)

# API framework.
# Rate limits; API_THROTTLING=off switches them off for load tests.
API_THROTTLING = env_bool("API_THROTTLING", True)
# Requests per period (s, min, hour, day) per scope; API_THROTTLE_RATES="login=5/min,posts=60/hour"
# overrides single scopes.
THROTTLE_RATES = {
    "anon": "300/min",
    "user": "1200/min",
    "login": "20/min",
    "login_email": "10/min",
    "register": "20/hour",
    "password": "10/hour",
    "posts": "60/min",
    "comments": "60/min",
    "follows": "120/min",
    "media": "60/min",
    "likes": "300/min",
}
for _item in env_list("API_THROTTLE_RATES", []):
    _scope, _, _rate = _item.partition("=")
    THROTTLE_RATES[_scope.strip()] = _rate.strip()
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only; the upload endpoints add multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["project.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "project.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "project.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "project.exceptions.exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": ["project.throttling.GeneralThrottle", "project.throttling.ScopedThrottle"],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Social API",
    "DESCRIPTION": "A token-authenticated social network API: accounts, follows, posts, likes, "
    "comments, scheduled posts and live notifications over WebSockets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to validator.swagger.io: the docs work offline.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["project.schema.drop_slash_variants"],
}

# Accounts and content limits.
TOKEN_TTL = timedelta(days=env_int("TOKEN_TTL_DAYS", 30))
# last_used_at is written at most this often per token, to keep reads free of writes.
TOKEN_LAST_USED_RESOLUTION = timedelta(seconds=60)
AVATAR_MAX_BYTES = 5 * 1024 * 1024
MEDIA_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
MAX_SCHEDULED_POSTS = env_int("MAX_SCHEDULED_POSTS", 300)
IDEMPOTENCY_TTL = timedelta(hours=24)
UNUSED_MEDIA_TTL = timedelta(hours=24)

from .celery import *  # noqa: E402, F403
from .logging import *  # noqa: E402, F403
