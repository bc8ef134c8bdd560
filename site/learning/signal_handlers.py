"""Signing out ends the counselor's open viewing sessions: their players' report tokens stop working, as
the Django session behind them did. (A password change ends them too: the tokens are bound to it.)"""

from django.contrib.auth.signals import user_logged_out
from django.utils import timezone


def end_viewing_sessions(sender, request, user, **kwargs):
    from .models import ViewingSession

    if user is not None:
        ViewingSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())


def register_signal_handlers():
    user_logged_out.connect(end_viewing_sessions, dispatch_uid="learning_end_viewing_sessions")
