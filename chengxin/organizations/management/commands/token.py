"""``chengxin token USERNAME``: print the user's API token, creating it if missing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print USERNAME's API token (Authorization: Token <key>), creating it if missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=username)
        except user_model.DoesNotExist as exc:
            raise CommandError(f"no user named {username!r}") from exc
        if not user.is_active:
            raise CommandError(f"user {username!r} is not active")
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
