"""Root URL configuration: the versioned API, its documentation and operational endpoints."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import routing  # noqa: F401 - registers the `id` path converter
from .settings.env import env_bool
from .views import healthz, not_found, readyz

handler400 = "project.exceptions.handler400"
handler403 = "project.exceptions.handler403"
handler404 = "project.exceptions.handler404"
handler500 = "project.exceptions.handler500"

urlpatterns = [
    path("api/v1/", include("apps.accounts.urls", namespace="accounts")),
    path("api/v1/", include("apps.feed.urls", namespace="feed")),
    path("api/v1/", include("apps.engagement.urls", namespace="engagement")),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/", SpectacularAPIView.as_view()),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema")),
    path("api/redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

if settings.SERVE_MEDIA:
    # Uploaded files from MEDIA_ROOT; a production proxy or object storage serves them instead.
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT}))

if env_bool("BENCH_ENDPOINTS", False):
    # Reference endpoints for `scripts/bench.py`; production leaves BENCH_ENDPOINTS unset.
    urlpatterns.append(path("api/v1/bench/", include("apps.bench.urls", namespace="bench")))

# Last: every unmatched path gets the JSON 404, also with DEBUG on.
urlpatterns.append(re_path(r"^(?P<unmatched>.*)$", not_found))
