"""Routes of the accounts app: authentication, tokens, the caller's profile and users."""

from project.routing import endpoint

from .views import auth, me

app_name = "accounts"

urlpatterns = [
    # Authentication.
    *endpoint("auth/register", auth.RegisterView.as_view(), "register"),
    # The caller's profile.
    *endpoint("me", me.MeView.as_view(), "me"),
]
