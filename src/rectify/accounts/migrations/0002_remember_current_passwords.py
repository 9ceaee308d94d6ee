"""Users from before the policy: their current password enters the history as set today, so that
RECTIFY_PASSWORD_MAX_AGE_DAYS counts from the upgrade, not from the day the account was made."""

from django.db import migrations
from django.utils import timezone

UNUSABLE_PREFIX = "!"  # django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX


def remember(apps, schema_editor):
    User = apps.get_model("org", "User")
    PasswordHistory = apps.get_model("accounts", "PasswordHistory")
    now = timezone.now()
    users = User.objects.exclude(password="").exclude(password__startswith=UNUSABLE_PREFIX)
    PasswordHistory.objects.bulk_create(
        (
            PasswordHistory(user_id=pk, password=password, created_at=now)
            for pk, password in users.values_list("pk", "password").iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_password_history"), ("org", "0001_initial")]

    operations = [migrations.RunPython(remember, migrations.RunPython.noop)]
