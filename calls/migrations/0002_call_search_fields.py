"""Calls get From / To numbers and the far end (searchable), filled in for the calls already stored."""

from django.db import migrations, models

BATCH = 500


def _user(name_addr):
    return str(name_addr.get("user") or "") if isinstance(name_addr, dict) else ""


def fill_in(apps, schema_editor):
    """The same rules as calls.call_summary, frozen here: the first INVITE's From / To users, and the
    host that gave the final answer (else where the first INVITE went)."""
    SipCall = apps.get_model("calls", "SipCall")
    SipMessageRecord = apps.get_model("calls", "SipMessageRecord")
    changed = []
    for call in SipCall.objects.only("pk", "final_status").iterator(chunk_size=BATCH):
        invites = [
            (src, dst, headers or {})
            for src, dst, headers in SipMessageRecord.objects.filter(
                call_id=call.pk, headers__method="INVITE"
            )
            .order_by("at", "seq", "id")
            .values_list("src", "dst", "headers")
        ]
        requests = [i for i in invites if i[2].get("request_uri")]
        if requests:
            call.from_number = _user(requests[0][2].get("from"))[:255]
            call.to_number = _user(requests[0][2].get("to"))[:255]
            call.far_end = requests[0][1][:255]
        answers = [
            i
            for i in invites
            if call.final_status is not None and i[2].get("status_code") == call.final_status
        ]
        if answers:
            call.far_end = answers[-1][0][:255]
        changed.append(call)
        if len(changed) >= BATCH:
            SipCall.objects.bulk_update(changed, ["from_number", "to_number", "far_end"])
            changed = []
    SipCall.objects.bulk_update(changed, ["from_number", "to_number", "far_end"])


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="sipcall",
            name="far_end",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="sipcall",
            name="from_number",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="sipcall",
            name="to_number",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
