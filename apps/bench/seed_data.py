"""Synthetic social data with realistic skew, generated in memory and deterministic for a seed.

The shape:
- Follows: the followed account is drawn from a Zipf curve over user rank, so `user1` is the
  most followed account and the top few are followed by most users. Following counts are
  log-normal around `avg_following` and capped at `max_following`.
- Two probe accounts for benchmarks: `heavy_reader` follows `max_following` accounts (or every
  other user when there are fewer) and `light_reader` follows 10.
- Posts: authors drawn by a log-normal activity weight, times spread over the `days` before now,
  ids in time order. Hashtags come from a vocabulary in several scripts, with Zipf popularity.
- Likes and comments go mostly to posts of much-followed authors (weight: the author's followers
  times log-normal noise) and arrive within about a day of the post.
- Notifications for the follows, likes and comments of the last NOTIFICATION_WINDOW_DAYS days,
  read when older than NOTIFICATION_READ_AFTER_DAYS days; none for one's own post.

Every random choice comes from `random.Random` streams seeded with the configuration's seed, so
the same configuration gives the same rows. Timestamps are relative to `now` (epoch seconds),
which the caller passes in.
"""

import heapq
import itertools
import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.feed.hashtags import hashtags_extract

HEAVY_READER = "heavy_reader"
LIGHT_READER = "light_reader"
LIGHT_READER_FOLLOWING = 10
DAY = 86_400.0
NOTIFICATION_WINDOW_DAYS = 30
NOTIFICATION_READ_AFTER_DAYS = 3
# Users exist before any post: they join within the two years before the posting period.
USER_JOIN_SPAN_DAYS = 730
# Exponents of the Zipf curves: followers over user rank, hashtags over tag rank.
FOLLOW_ZIPF_EXPONENT = 1.0
HASHTAG_ZIPF_EXPONENT = 1.1


@dataclass(frozen=True)
class SeedConfig:
    """Sizes of one data set. `following_sigma` is the log-normal sigma of following counts."""

    users: int
    posts: int
    likes: int
    comments: int
    avg_following: int
    max_following: int
    following_sigma: float
    hashtags: int
    days: int = 365
    seed: int = 1


PRESETS: dict[str, SeedConfig] = {
    # For tests: every stored count can be checked row by row.
    "tiny": SeedConfig(
        users=40, posts=400, likes=600, comments=150, avg_following=6, max_following=30, following_sigma=0.6, hashtags=40
    ),
    "small": SeedConfig(
        users=1_000,
        posts=50_000,
        likes=100_000,
        comments=20_000,
        avg_following=50,
        max_following=500,
        following_sigma=0.5,
        hashtags=300,
    ),
    "large": SeedConfig(
        users=10_000,
        posts=1_000_000,
        likes=2_000_000,
        comments=300_000,
        avg_following=150,
        max_following=5_000,
        following_sigma=1.0,
        hashtags=2_000,
    ),
}

# Hashtag names as stored (NFC, lower-case), in several scripts; more are derived from them.
BASE_HASHTAGS = [
    "python", "django", "news", "music", "travel", "photography", "food", "coffee", "café",
    "日本", "東京", "привет", "москва", "ελλάδα", "münchen", "españa", "서울", "مرحبا", "中文",
    "weekend", "sunset", "books", "running", "gaming", "art", "design", "science", "football",
    "climate", "startup", "opensource", "rustlang", "javascript", "cats", "dogs", "garden",
    "recipes", "jazz", "cinema", "hiking", "paris", "berlin", "london", "kyiv", "são_paulo",
]  # fmt: skip
WORDS = [
    "the", "a", "today", "really", "new", "good", "great", "just", "finally", "we", "I", "love",
    "this", "that", "morning", "evening", "city", "friends", "work", "weekend", "coffee", "shipped",
    "release", "reading", "about", "with", "again", "first", "last", "time", "people", "small",
    "thing", "why", "how", "what", "nice", "view", "train", "rain", "sun", "project", "idea",
    "looks", "feels", "thanks", "everyone", "here", "there", "later", "soon", "bonjour", "merci",
    "hola", "danke", "спасибо", "ありがとう", "今日", "좋아요", "très", "bien", "über", "naïve",
]  # fmt: skip
FIRST_NAMES = [
    "Alice", "Bob", "Chloé", "Dmitri", "Eva", "François", "Grace", "Hiro", "Ines", "José", "Kai",
    "Lena", "Mateo", "Nadia", "Olu", "Priya", "Quinn", "Rosa", "Søren", "Tomás", "Uma", "Zoë",
    "Анна", "Иван", "さくら", "太郎", "민준", "Ελένη",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Müller", "García", "Rossi", "Nowak", "Kim", "Tanaka", "Ivanova", "Dubois", "Silva",
    "Okafor", "Novak", "Jensen", "O'Brien", "Haddad", "Levi", "Chen", "Papadopoulos",
]  # fmt: skip
LOCATIONS = ["", "", "", "Berlin", "Tokyo", "São Paulo", "Lagos", "Москва", "Paris", "Seoul", "Austin", "Kraków"]
BIOS = ["", "", "Photographer.", "Writes code, drinks coffee.", "Opinions are my own.", "日本語と English", "Runner 🏃"]


def hashtag_vocabulary(count: int) -> list[str]:
    """Return `count` distinct stored hashtag names: the base list first, then numbered variants."""
    names = [unicodedata.normalize("NFC", name) for name in BASE_HASHTAGS]
    for number in itertools.count(2):
        if len(names) >= count:
            break
        names.extend(f"{name}{number}" for name in BASE_HASHTAGS[: count - len(names)])
    return names[:count]


@dataclass
class SeedData:
    """Rows of every table, ids assigned from 1, timestamps as epoch seconds.

    Tuples, in order:
    users (id, username, email, display_name, bio, location, created_at, followers_count,
    following_count, posts_count); follows (id, follower_id, followee_id, created_at);
    hashtags (id, name, posts_count, created_at); posts (id, author_id, text, hashtags,
    publish_at, created_at, likes_count, comments_count); post_hashtags (id, post_id, hashtag_id,
    publish_at), publish_at copied from the post;
    likes (id, user_id, post_id, created_at); comments (id, post_id, author_id, text,
    created_at); notifications (id, recipient_id, actor_id, type, post_id, comment_id,
    created_at, read).
    """

    users: list[tuple] = field(default_factory=list)
    follows: list[tuple] = field(default_factory=list)
    hashtags: list[tuple] = field(default_factory=list)
    posts: list[tuple] = field(default_factory=list)
    post_hashtags: list[tuple] = field(default_factory=list)
    likes: list[tuple] = field(default_factory=list)
    comments: list[tuple] = field(default_factory=list)
    notifications: list[tuple] = field(default_factory=list)


def _stream(config: SeedConfig, name: str) -> random.Random:
    # String seeds are hashed with SHA-512, so streams do not depend on PYTHONHASHSEED.
    return random.Random(f"{config.seed}:{name}")


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, count + 1)]


def _sample_distinct(
    rng: random.Random, weights: Sequence[float], cumulative: Sequence[float], k: int, exclude: int
) -> list[int]:
    """Draw `k` distinct indexes other than `exclude`, each with probability in proportion to its weight."""
    population = len(weights)
    if k * 8 > population:
        # Efraimidis-Spirakis: the k largest log(u)/w keys are a weighted sample without replacement.
        keys = ((math.log(rng.random() or 1e-300) / weights[index], index) for index in range(population) if index != exclude)
        return [index for _, index in heapq.nlargest(k, keys)]
    chosen: dict[int, None] = {}
    indexes = range(population)
    while len(chosen) < k:
        for index in rng.choices(indexes, cum_weights=cumulative, k=2 * (k - len(chosen)) + 4):
            if index != exclude:
                chosen.setdefault(index)
                if len(chosen) == k:
                    break
    return list(chosen)


def _following_counts(config: SeedConfig, rng: random.Random) -> list[int]:
    ceiling = min(config.max_following, config.users - 1)
    mu = math.log(config.avg_following) - config.following_sigma**2 / 2
    counts = [max(1, min(ceiling, round(rng.lognormvariate(mu, config.following_sigma)))) for _ in range(config.users)]
    counts[-1] = ceiling
    counts[-2] = min(LIGHT_READER_FOLLOWING, ceiling)
    return counts


def _text(rng: random.Random, low: int, high: int, tags: Sequence[str] = ()) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    for tag in tags:
        shown = tag.capitalize() if rng.random() < 0.3 else tag
        words.insert(rng.randint(0, len(words)), f"#{shown}")
    return " ".join(words)


def _engagement(
    rng: random.Random,
    count: int,
    post_cumulative: Sequence[float],
    user_cumulative: Sequence[float],
    unique: bool,
) -> list[tuple[int, int]]:
    """Draw `count` (user index, post index) pairs; with `unique`, no pair twice."""
    posts = range(len(post_cumulative))
    users = range(len(user_cumulative))
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    while len(pairs) < count:
        batch = count - len(pairs)
        drawn = zip(
            rng.choices(users, cum_weights=user_cumulative, k=batch),
            rng.choices(posts, cum_weights=post_cumulative, k=batch),
            strict=True,
        )
        for pair in drawn:
            if unique:
                if pair in seen:
                    continue
                seen.add(pair)
            pairs.append(pair)
    return pairs


def seed_generate(config: SeedConfig, now: float) -> SeedData:
    """Generate every row of a data set for `config`, with timestamps before `now`."""
    if config.users < LIGHT_READER_FOLLOWING + 2:
        raise ValueError(f"users={config.users} is too few: the probe accounts need at least {LIGHT_READER_FOLLOWING + 2}.")
    if config.likes > config.users * config.posts // 2:
        raise ValueError(f"likes={config.likes} is too many: at most half of users x posts ({config.users * config.posts // 2}).")
    data = SeedData()
    posts_start = now - config.days * DAY

    # Users: rank order is id order, so user1 is the most followed.
    rng = _stream(config, "users")
    joined = [posts_start - rng.random() * USER_JOIN_SPAN_DAYS * DAY for _ in range(config.users)]
    following_counts = _following_counts(config, rng)
    activity = [rng.lognormvariate(0.0, 1.0) for _ in range(config.users)]

    # Follows, in time order.
    rng = _stream(config, "follows")
    weights = _zipf_weights(config.users, FOLLOW_ZIPF_EXPONENT)
    cumulative = list(itertools.accumulate(weights))
    follows = []
    for follower, k in enumerate(following_counts):
        for followee in _sample_distinct(rng, weights, cumulative, k, exclude=follower):
            since = max(joined[follower], joined[followee])
            follows.append((since + rng.random() * (now - since), follower, followee))
    follows.sort()
    followers = [0] * config.users
    for row_id, (created, follower, followee) in enumerate(follows, start=1):
        followers[followee] += 1
        data.follows.append((row_id, follower + 1, followee + 1, created))

    # Posts and their hashtags, ids in time order.
    rng = _stream(config, "posts")
    vocabulary = hashtag_vocabulary(config.hashtags)
    tag_ids = {name: index + 1 for index, name in enumerate(vocabulary)}
    tag_cumulative = list(itertools.accumulate(_zipf_weights(len(vocabulary), HASHTAG_ZIPF_EXPONENT)))
    tag_posts = [0] * len(vocabulary)
    authors = rng.choices(range(config.users), weights=activity, k=config.posts)
    times = sorted(posts_start + rng.random() * (now - posts_start - 60) for _ in range(config.posts))
    posts_count = [0] * config.users
    post_rows: list[list] = []
    for post_id, (author, published) in enumerate(zip(authors, times, strict=True), start=1):
        wanted = rng.choices((0, 1, 2, 3), cum_weights=(55, 83, 95, 100))[0]
        drawn = rng.choices(vocabulary, cum_weights=tag_cumulative, k=wanted)
        text = _text(rng, 4, 24, list(dict.fromkeys(drawn)))
        names = hashtags_extract(text)
        for name in names:
            tag_posts[tag_ids[name] - 1] += 1
            data.post_hashtags.append((len(data.post_hashtags) + 1, post_id, tag_ids[name], published))
        posts_count[author] += 1
        post_rows.append([post_id, author + 1, text, names, published, published, 0, 0])
    data.hashtags = [(index + 1, name, tag_posts[index], posts_start) for index, name in enumerate(vocabulary)]

    # Likes and comments: popular authors' posts draw most of them, soon after posting.
    rng = _stream(config, "engagement")
    post_weights = [(followers[author] + 1) ** 0.8 * rng.lognormvariate(0.0, 1.0) for author in authors]
    post_cumulative = list(itertools.accumulate(post_weights))
    user_cumulative = list(itertools.accumulate(rng.lognormvariate(0.0, 1.0) for _ in range(config.users)))

    def reaction_time(post_index: int) -> float:
        return min(now - 1, times[post_index] + rng.expovariate(1 / DAY))

    likes = sorted(
        (reaction_time(post), user, post)
        for user, post in _engagement(rng, config.likes, post_cumulative, user_cumulative, unique=True)
    )
    for row_id, (created, user, post) in enumerate(likes, start=1):
        post_rows[post][6] += 1
        data.likes.append((row_id, user + 1, post + 1, created))
    comments = sorted(
        (reaction_time(post), user, post, _text(rng, 3, 20))
        for user, post in _engagement(rng, config.comments, post_cumulative, user_cumulative, unique=False)
    )
    for row_id, (created, user, post, text) in enumerate(comments, start=1):
        post_rows[post][7] += 1
        data.comments.append((row_id, post + 1, user + 1, text, created))
    data.posts = [tuple(row) for row in post_rows]

    # Users last: their counts are known now.
    rng = _stream(config, "profiles")
    for index in range(config.users):
        user_id = index + 1
        username = {config.users: HEAVY_READER, config.users - 1: LIGHT_READER}.get(user_id, f"user{user_id}")
        display_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        data.users.append(
            (
                user_id,
                username,
                f"{username}@example.com",
                display_name,
                rng.choice(BIOS),
                rng.choice(LOCATIONS),
                joined[index],
                followers[index],
                following_counts[index],
                posts_count[index],
            )
        )

    data.notifications = _notifications(data, authors, now)
    return data


def _notifications(data: SeedData, authors: Sequence[int], now: float) -> list[tuple]:
    """Notifications of the recent follows, likes and comments, ids in time order."""
    since = now - NOTIFICATION_WINDOW_DAYS * DAY
    read_before = now - NOTIFICATION_READ_AFTER_DAYS * DAY
    events: list[tuple] = []
    for _, follower, followee, created in data.follows:
        if created >= since:
            events.append((created, followee, follower, "follow", None, None))
    for _, user, post, created in data.likes:
        author = authors[post - 1] + 1
        if created >= since and user != author:
            events.append((created, author, user, "like", post, None))
    for comment_id, post, user, _, created in data.comments:
        author = authors[post - 1] + 1
        if created >= since and user != author:
            events.append((created, author, user, "comment", post, comment_id))
    events.sort(key=lambda event: event[0])
    return [
        (row_id, recipient, actor, kind, post, comment, created, created < read_before)
        for row_id, (created, recipient, actor, kind, post, comment) in enumerate(events, start=1)
    ]
