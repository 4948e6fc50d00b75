"""Routes of the benchmark's reference endpoints; `project.urls` mounts them only when BENCH_ENDPOINTS is on."""

from project.routing import endpoint

from . import views

app_name = "bench"

urlpatterns = [
    *endpoint("floor", views.FloorView.as_view(), "floor"),
]
