"""Routes of the engagement app: likes, comments and notifications."""

from project.routing import endpoint

from . import views

app_name = "engagement"

urlpatterns = [
    # Likes.
    *endpoint("posts/<id:pk>/like", views.PostLikeView.as_view(), "post-like"),
    *endpoint("posts/<id:pk>/likes", views.PostLikesView.as_view(), "post-likes"),
    *endpoint("me/likes", views.MyLikesView.as_view(), "my-likes"),
    # Comments.
    *endpoint("posts/<id:pk>/comments", views.PostCommentsView.as_view(), "post-comments"),
    *endpoint("comments/<id:pk>", views.CommentView.as_view(), "comment-detail"),
    # Notifications.
    *endpoint("notifications", views.NotificationsView.as_view(), "notifications"),
    *endpoint("notifications/read", views.NotificationsReadView.as_view(), "notifications-read"),
]
