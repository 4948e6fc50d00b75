"""Request and response examples of the accounts endpoints, for the OpenAPI schema."""

ME_EXAMPLE = {
    "id": 1,
    "username": "alice",
    "email": "alice@example.com",
    "display_name": "Alice",
    "bio": "",
    "avatar": None,
    "location": "",
    "website": "",
    "created_at": "2026-12-04T19:30:00.000000Z",
    "followers_count": 0,
    "following_count": 0,
    "posts_count": 0,
}
