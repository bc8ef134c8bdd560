"""Deployment checks (`manage.py check --deploy`) for what the file gate and the lockout assume of nginx."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def proxy_is_trusted_behind_nginx(app_configs, **kwargs):
    """Behind nginx (MEDIA_ACCEL_REDIRECT set) every request comes from nginx's address: unless that
    address is a trusted proxy, the client's own address (X-Forwarded-For) is ignored, and the lockout
    counts everyone as one visitor — twenty failed logins by anyone would lock every login out."""
    if settings.MEDIA_ACCEL_REDIRECT and not getattr(settings, "TRUSTED_PROXIES", None):
        return [
            Warning(
                "MEDIA_ACCEL_REDIRECT is set (the site is behind nginx) but TRUSTED_PROXIES is empty: every "
                "visitor would be counted as nginx's address by the login lockout.",
                hint="Set TRUSTED_PROXIES=127.0.0.1,::1 (nginx on the same machine), or nginx's address.",
                id="access.W001",
            )
        ]
    return []
