"""Idempotency records of token creations stored the key; remove it (issue 13, item 6)."""

from django.db import migrations

NOTE = (
    "This repeats an earlier request with the same Idempotency-Key: the token exists, but its key was "
    "shown only in the first response and is not stored. If it is lost, revoke this token and create another."
)


def strip_keys(apps, schema_editor):
    IdempotencyRecord = apps.get_model("tenants", "IdempotencyRecord")
    for record in IdempotencyRecord.objects.exclude(response_body=None).iterator():
        body = record.response_body
        if isinstance(body, dict) and str(body.get("key", "")).startswith("pb_"):
            del body["key"]
            body["detail"] = NOTE
            record.response_body = body
            record.save(update_fields=["response_body"])


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_invitations")]

    operations = [migrations.RunPython(strip_keys, migrations.RunPython.noop)]
