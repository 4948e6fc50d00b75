"""OpenAPI parameters and examples of the engagement endpoints."""


AUTHOR_EXAMPLE = {"id": 2, "username": "bob", "display_name": "Bob", "avatar": None}

USER_EXAMPLE = {
    "id": 2,
    "username": "bob",
    "display_name": "Bob",
    "bio": "Coffee and bicycles.",
    "avatar": "http://127.0.0.1:8000/media/avatars/2/5f1c0a.jpg",
    "location": "Lisbon",
    "website": "",
    "created_at": "2026-12-01T08:00:00.000000Z",
    "followers_count": 10,
    "following_count": 4,
    "posts_count": 31,
    "is_following": True,
    "follows_you": False,
}

POST_EXAMPLE = {
    "id": 42,
    "author": {"id": 1, "username": "alice", "display_name": "Alice", "avatar": None},
    "text": "Sunset over the #harbour",
    "hashtags": ["harbour"],
    "media": [],
    "status": "published",
    "publish_at": "2026-12-04T18:00:00.000000Z",
    "created_at": "2026-12-04T18:00:00.000000Z",
    "edited_at": None,
    "likes_count": 3,
    "comments_count": 1,
    "liked_by_me": True,
}

LIKE_EXAMPLE = {"post": 42, "liked": True, "likes_count": 3, "created_at": "2026-12-04T19:30:00.000000Z"}

COMMENT_EXAMPLE = {
    "id": 7,
    "post": 42,
    "author": AUTHOR_EXAMPLE,
    "text": "Lovely colours!",
    "created_at": "2026-12-04T19:30:00.000000Z",
    "edited_at": None,
}

NOTIFICATION_EXAMPLE = {
    "id": 501,
    "type": "comment",
    "actor": AUTHOR_EXAMPLE,
    "post": {"id": 42, "text": "Sunset over the #harbour"},
    "comment": {"id": 7, "text": "Lovely colours!"},
    "created_at": "2026-12-04T19:30:00.000000Z",
    "read": False,
}
