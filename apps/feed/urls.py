from django.urls import URLPattern

from project.routing import endpoint

from . import views, views_scheduling

app_name = "feed"

urlpatterns: list[URLPattern] = [
    # Scheduled posts; `posts/scheduled` comes before every `posts/<...>` pattern.
    *endpoint("posts/scheduled", views_scheduling.ScheduledPostListView.as_view(), "post-scheduled-list"),
    *endpoint("posts/<id:pk>/publish", views_scheduling.PostPublishView.as_view(), "post-publish"),
    # Posts and their pictures.
    *endpoint("media", views.MediaCreateView.as_view(), "media-create"),
    *endpoint("posts", views.PostListCreateView.as_view(), "post-list"),
    *endpoint("posts/<id:pk>", views.PostDetailView.as_view(), "post-detail"),
    *endpoint("users/<str:username>/posts", views.UserPostListView.as_view(), "user-post-list"),
    # The home feed and hashtags.
    *endpoint("feed", views.FeedView.as_view(), "feed"),
    *endpoint("hashtags", views.HashtagListView.as_view(), "hashtag-list"),
    *endpoint("hashtags/<str:name>/posts", views.HashtagPostListView.as_view(), "hashtag-post-list"),
]
