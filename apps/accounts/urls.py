"""Routes of the accounts app: authentication, tokens, the caller's profile and users."""

from project.routing import endpoint

from . import views

app_name = "accounts"

urlpatterns = [
    # Authentication.
    *endpoint("auth/register", views.RegisterView.as_view(), "register"),
    # The caller's profile.
    *endpoint("me", views.MeView.as_view(), "me"),
]
