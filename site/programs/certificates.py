"""Certificates of completion (结业证书): their codes, their PDF, and the bound on public look-ups.

A code is 12 characters drawn by `secrets` from 32 that cannot be mistaken for one another when read
aloud or typed from paper (no 0/O, 1/I), shown in groups of four: 2^60 codes, so guessing one that
exists takes about 2^60 / (number issued) tries. The public verification page counts look-ups per
client address (hub.clientip) in Django's cache, PROGRAMS_VERIFY_PER_HOUR an hour, which puts
enumeration out of reach (docs/programs-attendance.md).
"""

import base64
import io
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from discovery.links import absolute
from hub.clientip import client_ip

from .models import Certificate

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12
GROUP = 4


def new_code():
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise(text):
    """The stored form of a code as typed ("abcd efgh jkmn", "ABCD-EFGH-JKMN"), or None if it cannot be one.
    O is read as 0 and I as 1, which are not in the alphabet either: such a code is simply unknown."""
    raw = re.sub(r"[\s\-_.·—–]", "", str(text or "")[:64]).upper()
    if len(raw) != CODE_LENGTH or any(char not in ALPHABET for char in raw):
        return None
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def verify_path(code):
    return reverse("programs:certificate_detail", args=[code])


def verify_url(code):
    """The absolute address printed on the certificate (BASE_URL, not the request's host)."""
    return absolute(verify_path(code))


def issue_certificate(enrolment, program, now):
    """The enrolment's certificate, made once (the OneToOne holds it to one under races)."""
    from editorial.roles import center_of

    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    center = center_of(program)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    enrolment=enrolment,
                    code=new_code(),
                    name=(enrolment.name or enrolment.user.get_username())[:50],
                    program_title=program.title[:255],
                    center_name=center.name[:200] if center else "",
                    hours=program.hours,
                    issued_on=timezone.localtime(now).date(),
                    issued_at=now,
                )
        except IntegrityError:
            # Another evaluation issued it first, or (once in 2^60) the code was taken: look again.
            existing = Certificate.objects.filter(enrolment=enrolment).first()
            if existing is not None:
                return existing
    raise RuntimeError("could not issue a certificate code")


# -- the public look-up's bound --------------------------------------------------------------------


def lookup_allowed(request):
    """Count one look-up for the client; False when its hour's allowance is spent."""
    limit = settings.PROGRAMS_VERIFY_PER_HOUR
    window = int(time.time() // 3600)
    key = f"programs:verify:{window}:{client_ip(request)[:64]}"
    cache.add(key, 0, timeout=3601)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3601)
        used = 1
    return used <= limit


# -- the PDF ----------------------------------------------------------------------------------------


def qr_data_url(url):
    import segno

    out = io.BytesIO()
    segno.make(url, micro=False, error="m").save(out, kind="svg", xmldecl=False, border=2, omitsize=True)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def render_pdf(certificate):
    """The certificate as an A4 landscape PDF (WeasyPrint, Noto CJK fonts, nothing fetched)."""
    from learning.record_pdf import offline_fetcher

    url = verify_url(certificate.code)
    html = render_to_string(
        "programs/certificates/pdf.html",
        {"certificate": certificate, "verify_url": url, "qr_src": qr_data_url(url)},
    )
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=offline_fetcher()).write_pdf()
