"""Test settings: the same engines as the environment selects, with speed-only changes."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from project.settings import *  # noqa: E402, F403

# A fast hasher: password hashing is not what the tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
API_THROTTLING = False
CELERY_TASK_ALWAYS_EAGER = True

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# Uploaded files of a test run go to a throw-away folder.
MEDIA_ROOT = tempfile.mkdtemp(prefix="social-api-test-media-")

# SQLite tests use a throw-away file, not pytest-django's shared-cache in-memory database:
# there, concurrent connections fail at once with "database table is locked" instead of
# waiting, so tests with threads or a worker process could not run as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.mkdtemp(prefix="social-api-test-db-")) / "test.sqlite3")}  # noqa: F405
