"""Celery: Redis as the broker when REDIS_URL is set, else a broker on the local file system."""

from datetime import timedelta

from . import VAR_DIR
from .env import env_bool, env_str

_redis_url = env_str("REDIS_URL")

if _redis_url:
    CELERY_BROKER_URL = _redis_url
    # A task with an ETA further ahead than the visibility timeout is redelivered; the
    # publishing task is idempotent, and this keeps redeliveries rare.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 24 * 30}
else:
    # Every folder is set and created here: kombu does not create the queue folder, and its
    # default control folder is `control` relative to the working directory.
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # kombu's file-system transport with atomic message writes (see project/broker.py).
    CELERY_BROKER_TRANSPORT = "project.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Frequent tasks expire after their period, so a worker that was down does not run a
# backlog of identical sweeps when it comes back.
CELERY_BEAT_SCHEDULE = {
    "publish-due-posts": {
        "task": "feed.publish_due_posts",
        "schedule": timedelta(seconds=5),
        "options": {"expires": 5},
    },
    "delete-unused-media": {"task": "feed.delete_unused_media", "schedule": timedelta(hours=1)},
    "delete-expired-idempotency-records": {
        "task": "feed.delete_expired_idempotency_records",
        "schedule": timedelta(hours=1),
    },
    "beat-heartbeat": {"task": "feed.beat_heartbeat", "schedule": timedelta(seconds=30), "options": {"expires": 30}},
}
# /readyz reports beat as failed when its heartbeat is older than this.
BEAT_HEARTBEAT_MAX_AGE = timedelta(seconds=120)
