"""What the enrolment part holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS): every application with what it says and what became of it.
Deleting the account deletes them (the foreign key cascades; a seat held goes to the waiting list)."""

from .models import Enrolment


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    """{"enrolments": [...]} for `user`; one query."""
    rows = Enrolment.objects.filter(user=user).select_related("program").order_by("applied_at", "pk")
    return {
        "enrolments": [
            {
                "program-id": row.program_id,
                "program": row.program.title,
                "status": row.status,
                "status-label": row.get_status_display(),
                "name": row.name,
                "school": row.school,
                "province": row.province,
                "phone": row.phone,
                "email": row.email,
                "note": row.note,
                "applied": _time(row.applied_at),
                "queued": _time(row.queued_at),
                "decided": _time(row.decided_at),
                "decline-reason": row.decline_reason,
                "completed": _time(row.completed_at),
            }
            for row in rows
        ]
    }
