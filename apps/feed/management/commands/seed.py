"""`manage.py seed`: fill the database with synthetic users, follows, posts and engagement."""

import dataclasses
import os
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.accounts.models import User
from apps.accounts.services import token_create
from apps.bench.seed_data import HEAVY_READER, LIGHT_READER, PRESETS, SeedConfig, seed_generate
from apps.bench.seed_writer import seed_analyze, seed_database_is_empty, seed_flush, seed_write

# Every seeded account logs in with its email (`<username>@example.com`) and this password.
SEED_PASSWORD = "seed-password-2026"

# Options that override a field of the preset's SeedConfig.
OVERRIDES = ["users", "posts", "likes", "comments", "avg_following", "max_following", "hashtags", "days"]


class Command(BaseCommand):
    help = (
        "Fill an empty database with synthetic users, follows, posts, hashtags, likes, comments and "
        f"notifications. Every account's password is {SEED_PASSWORD!r}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--preset", choices=sorted(PRESETS), default="small", help="Data set size (default: small).")
        for name in OVERRIDES:
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=int, dest=name, help=f"Override the preset's {name.replace('_', ' ')}."
            )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same rows (default: 1).")
        parser.add_argument("--flush", action="store_true", help="Delete every user, post and related row first.")
        parser.add_argument("--tokens", type=int, default=0, help="Create this many bearer tokens and print them.")
        parser.add_argument("--tokens-file", type=Path, help="Also write the tokens to this file, one `username token` a line.")
        parser.add_argument("--no-analyze", action="store_true", help="Skip refreshing the planner statistics.")
        parser.add_argument(
            "--only-tokens", action="store_true", help="Seed nothing: create --tokens tokens in an already seeded database."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["only_tokens"]:
            if seed_database_is_empty():
                raise CommandError("The database has no users yet: run the command without --only-tokens first.")
            self._tokens(options["tokens"], options["tokens_file"])
            return
        config = dataclasses.replace(
            PRESETS[options["preset"]],
            seed=options["seed"],
            **{name: options[name] for name in OVERRIDES if options[name] is not None},
        )
        if options["flush"]:
            seed_flush()
        elif not seed_database_is_empty():
            raise CommandError("The database already has users or posts: pass --flush to delete them first.")

        started = time.perf_counter()
        self.stdout.write(f"Seeding {connection.vendor} with {config}")
        try:
            data = seed_generate(config, now=time.time())
        except ValueError as error:
            raise CommandError(str(error)) from None
        generated = time.perf_counter()
        self.stdout.write(f"  generated in {generated - started:.1f} s")

        def progress(table: str, rows: int, seconds: float) -> None:
            self.stdout.write(f"  {table:<28} {rows:>10,} rows in {seconds:6.1f} s")

        seed_write(data, password_hash=make_password(SEED_PASSWORD), progress=progress)
        written = time.perf_counter()
        if not options["no_analyze"]:
            seed_analyze()
        finished = time.perf_counter()
        self.stdout.write(
            f"  analyzed in {finished - written:.1f} s\n"
            f"Seeded in {finished - started:.1f} s: generate {generated - started:.1f} s, "
            f"write {written - generated:.1f} s, analyze {finished - written:.1f} s."
        )
        self._describe(config)
        if options["tokens"]:
            self._tokens(options["tokens"], options["tokens_file"])

    def _describe(self, config: SeedConfig) -> None:
        top = User.objects.order_by("-followers_count", "id").values_list("username", "followers_count")[:3]
        self.stdout.write(
            f"Password of every account: {SEED_PASSWORD}\n"
            f"Most followed: {', '.join(f'{name} ({count:,})' for name, count in top)}\n"
            f"Probe accounts: {HEAVY_READER} follows {min(config.max_following, config.users - 1):,}, "
            f"{LIGHT_READER} follows 10."
        )

    def _tokens(self, count: int, path: Path | None) -> None:
        """Create tokens for the probe accounts, then for users spread evenly over the follower ranking."""
        users = list(User.objects.filter(username__in=[HEAVY_READER, LIGHT_READER]).order_by("username"))
        total = User.objects.count()
        step = max(1, total // max(1, count))
        users += User.objects.exclude(username__in=[HEAVY_READER, LIGHT_READER]).order_by("id")[::step][: max(0, count - 2)]
        lines = [f"{user.username} {token_create(user=user, user_agent='seed')[1]}" for user in users[:count]]
        self.stdout.write("Bearer tokens (username token):")
        self.stdout.write("\n".join(lines))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n")
            os.chmod(path, 0o600)
