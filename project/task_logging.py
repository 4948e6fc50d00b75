"""Log context for Celery tasks: the task id and name, and the id of the request that queued it.

Connected when the Celery app is imported (project/celery.py). `before_task_publish` copies
the current request id into the message headers; `task_prerun` sets the log context in the
process that runs the task and `task_postrun` restores the previous one, so every record the task writes,
Celery's own "succeeded" and "failed" lines included, carries both ids.
"""

from contextvars import Token
from typing import Any

from celery import Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from .logging import request_id_var, task_id_var, task_name_var

# Message header carrying the id of the HTTP request that queued a task.
REQUEST_ID_HEADER = "request_id"

# Context variable tokens of each running task, to restore the context when it ends.
_saved_context: dict[str | None, tuple[Token, Token, Token]] = {}


@before_task_publish.connect(weak=False)
def add_request_id_header(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Copy the current request id into the message headers of a task being queued."""
    request_id = request_id_var.get()
    if headers is not None and request_id != "-":
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect(weak=False)
def set_task_context(task_id: str | None = None, task: Task | None = None, **kwargs: Any) -> None:
    """Set the log context of the task about to run."""
    request_id = None
    if task is not None:
        request_id = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(
            REQUEST_ID_HEADER
        )
    _saved_context[task_id] = (
        request_id_var.set(request_id or "-"),
        task_id_var.set(task_id),
        task_name_var.set(task.name if task is not None else None),
    )


@task_postrun.connect(weak=False)
def restore_context(task_id: str | None = None, **kwargs: Any) -> None:
    """Restore the log context from before the task.

    A task run eagerly inside a request (CELERY_TASK_ALWAYS_EAGER) gives the request its id back.
    """
    tokens = _saved_context.pop(task_id, None)
    if tokens is None:
        return
    for var, token in zip((request_id_var, task_id_var, task_name_var), tokens, strict=True):
        var.reset(token)
