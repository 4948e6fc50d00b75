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

USER_EXAMPLE = {
    "id": 2,
    "username": "bob",
    "display_name": "Bob",
    "bio": "Builds things.",
    "avatar": "http://127.0.0.1:8000/media/avatars/2/0b5e2c8d4f6a4b1e9c3d7a2f5e8b1c4d.jpg",
    "location": "Lisbon",
    "website": "https://bob.example.com",
    "created_at": "2026-12-01T08:15:42.123456Z",
    "followers_count": 12,
    "following_count": 30,
    "posts_count": 4,
    "is_following": False,
    "follows_you": True,
}

LOGIN_EXAMPLE = {
    "token": "Zk3p1mQ9c2Xr7LbV0sT4yW8nH6aJ5dE1gU3oR2iK9fM",
    "expires_at": "2027-01-03T19:30:00.000000Z",
    "user": ME_EXAMPLE,
}

TOKEN_EXAMPLE = {
    "id": 7,
    "created_at": "2026-12-04T19:30:00.000000Z",
    "last_used_at": "2026-12-04T20:02:11.000000Z",
    "expires_at": "2027-01-03T19:30:00.000000Z",
    "user_agent": "curl/8.5.0",
    "current": True,
}
