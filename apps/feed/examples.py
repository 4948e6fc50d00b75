"""Example requests and responses of the feed endpoints, for the OpenAPI document."""

AUTHOR_EXAMPLE = {"id": 1, "username": "alice", "display_name": "Alice", "avatar": None}

MEDIA_EXAMPLE = {
    "id": 7,
    "url": "http://127.0.0.1:8000/media/posts/1/3f1c9a7e5b2d4c0e9f8a6b1d2c3e4f5a.jpg",
    "width": 1280,
    "height": 960,
    "description": "Sunrise over Mount Fuji",
}

POST_EXAMPLE = {
    "id": 42,
    "author": AUTHOR_EXAMPLE,
    "text": "First light in #日本 and a #café au lait",
    "hashtags": ["日本", "café"],
    "media": [MEDIA_EXAMPLE],
    "status": "published",
    "publish_at": "2026-12-04T19:30:00.000000Z",
    "created_at": "2026-12-04T19:30:00.000000Z",
    "edited_at": None,
    "likes_count": 3,
    "comments_count": 1,
    "liked_by_me": False,
}

SCHEDULED_POST_EXAMPLE = {
    **POST_EXAMPLE,
    "text": "Launch day! #release",
    "hashtags": ["release"],
    "media": [],
    "status": "scheduled",
    "publish_at": "2026-12-05T09:00:00.000000Z",
    "likes_count": 0,
    "comments_count": 0,
}

HASHTAG_EXAMPLE = {"name": "日本", "posts_count": 12}
