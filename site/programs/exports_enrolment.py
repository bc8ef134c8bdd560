"""What the enrolment part holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS): every application with what it says and what became of it, the
sessions it checked in to and its certificate. Deleting the account deletes them (the foreign key
cascades; a seat held goes to the waiting list), except the certificate, which stays verifiable."""

from django.db.models import Prefetch

from .models import Attendance, Enrolment


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    """{"enrolments": [...]} for `user`; three queries."""
    rows = (
        Enrolment.objects.filter(user=user)
        .select_related("program", "certificate")
        .prefetch_related(
            Prefetch("attendance", Attendance.objects.select_related("session").order_by("session__starts_at"))
        )
        .order_by("applied_at", "pk")
    )
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
                "attendance": [
                    {
                        "session": mark.session.topic,
                        "session-starts": _time(mark.session.starts_at),
                        "checked-in": _time(mark.marked_at),
                        "method": mark.get_method_display(),
                    }
                    for mark in row.attendance.all()
                ],
                "certificate": _certificate(row),
            }
            for row in rows
        ]
    }


def _certificate(enrolment):
    certificate = getattr(enrolment, "certificate", None)  # the reverse one-to-one raises when there is none
    if certificate is None:
        return None
    return {
        "code": certificate.code,
        "name": certificate.name,
        "program": certificate.program_title,
        "center": certificate.center_name,
        "hours": str(certificate.hours),
        "issued-on": certificate.issued_on.isoformat(),
        "revoked": _time(certificate.revoked_at),
    }
