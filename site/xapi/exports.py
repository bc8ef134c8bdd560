"""What the xapi app holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS): their pseudonym in the LRS and the statements kept (XAPI_KEEP_DAYS)."""

from .models import Actor, Statement
from .statements import actor, complete


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    rows = list(Statement.objects.filter(user=user).order_by("created_at", "pk"))
    name = Actor.objects.filter(user=user).values_list("name", flat=True).first()
    if not rows and name is None:
        return {}
    # Statements not sent yet are shown with their actor and object as they will be sent.
    bodies, _ = complete(rows)
    if name is None and rows:
        name = Actor.objects.filter(user=user).values_list("name", flat=True).first()
    return {
        "actor": actor(name),
        "statements": [
            {
                "state": row.state,
                "sent": _time(row.sent_at),
                "attempts": row.attempts,
                "statement": bodies[row.pk],
            }
            for row in rows
        ],
    }
