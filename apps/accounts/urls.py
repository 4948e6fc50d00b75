"""Routes of the accounts app: authentication, tokens, the caller's profile and users."""

from project.routing import endpoint

from .views import auth, me, users

app_name = "accounts"

urlpatterns = [
    # Authentication and tokens.
    *endpoint("auth/register", auth.RegisterView.as_view(), "register"),
    *endpoint("auth/login", auth.LoginView.as_view(), "login"),
    *endpoint("auth/logout", auth.LogoutView.as_view(), "logout"),
    *endpoint("auth/logout-all", auth.LogoutAllView.as_view(), "logout-all"),
    *endpoint("auth/tokens", auth.TokenListView.as_view(), "token-list"),
    *endpoint("auth/tokens/<id:pk>", auth.TokenDetailView.as_view(), "token-detail"),
    *endpoint("auth/password", auth.PasswordView.as_view(), "password"),
    # The caller's profile.
    *endpoint("me", me.MeView.as_view(), "me"),
    *endpoint("me/avatar", me.MeAvatarView.as_view(), "me-avatar"),
    # Users and the follow graph.
    *endpoint("users", users.UserListView.as_view(), "user-list"),
    *endpoint("users/<str:username>", users.UserDetailView.as_view(), "user-detail"),
    *endpoint("users/<str:username>/followers", users.FollowerListView.as_view(), "user-followers"),
    *endpoint("users/<str:username>/following", users.FollowingListView.as_view(), "user-following"),
    *endpoint("users/<str:username>/follow", users.FollowView.as_view(), "user-follow"),
]
