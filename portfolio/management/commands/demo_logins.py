from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from portfolio.demo_data import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print how to log in to the demo portfolio (one user per role)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options) -> None:  # noqa: ANN002, ANN003
        existing = set(
            get_user_model()
            .objects.filter(username__in=[user["username"] for user in DEMO_USERS])
            .values_list("username", flat=True)
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Gatehouse is starting at {url}"))
        self.stdout.write(f"Log in with any of these demo users (password: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            if user["username"] in existing:
                self.stdout.write(f"  {user['username']:<8} {user['role']:<17} {user['name']}")
        self.stdout.write("")
