"""`manage.py create_tenant <slug> --owner <email>`: first setup and automation.

With `--token-role`, the last line of output is an API token key and nothing else,
so scripts can take it with `tail -n 1`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from tenants import actions
from tenants.audit import Actor
from tenants.choices import Role
from tenants.exceptions import Conflict
from tenants.models import Tenant
from tenants.models.tenancy import validate_tenant_slug


class Command(BaseCommand):
    help = "Create a tenant and its owner (a new user, or an existing one), optionally with an API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Short lowercase name of the tenant, e.g. acme.")
        parser.add_argument("--owner", required=True, help="Email of the owner (created if new).")
        parser.add_argument("--password", help="Password of a newly created owner.")
        parser.add_argument("--name", default="", help="Display name of the tenant (default: the slug).")
        parser.add_argument(
            "--token-role",
            choices=Role.values,
            help="Also create an API token with this role and print its key on the last line.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["slug"]
        email: str = options["owner"].strip()
        try:
            validate_tenant_slug(slug)
            validate_email(email)
        except DjangoValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if Tenant.objects.filter(slug=slug).exists():
            raise CommandError(f"A tenant with the slug {slug!r} already exists; nothing was changed.")
        try:
            with transaction.atomic():
                owner, created = self._owner(email, options["password"])
                tenant = actions.create_tenant(
                    slug, options["name"] or slug, owner=owner, actor=Actor.system()
                )
                key = None
                if options["token_role"]:
                    _, key = actions.create_api_token(
                        tenant,
                        name="create_tenant",
                        role=options["token_role"],
                        actor=Actor(user=owner, role=Role.OWNER),
                    )
        except Conflict as exc:  # created by someone else since the check above
            raise CommandError(f"{exc.detail} Nothing was changed.") from exc
        self.stdout.write(f"Created tenant {tenant.slug!r} ({tenant.name}).")
        if created:
            self.stdout.write(f"Created user {email} as its owner.")
            if not options["password"]:
                self.stdout.write(f"No password set: run `manage.py changepassword {owner.get_username()}`.")
        else:
            self.stdout.write(f"Added existing user {email} as its owner.")
        if key is not None:
            self.stdout.write(f"API token ({options['token_role']}), shown once:")
            self.stdout.write(key)

    def _owner(self, email: str, password: str | None) -> tuple[Any, bool]:
        users = get_user_model().objects
        existing = users.filter(email__iexact=email).order_by("pk").first()
        if existing is not None:
            return existing, False
        user = users.model(username=email, email=email)
        if password:
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user, True
