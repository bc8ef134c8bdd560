"""Signals of the programs app: each part registers its own here."""


def register_signal_handlers():
    # -- enrolment: a program published with a higher capacity gives the new seats to the waiting list.
    # A seat freed by a deleted account goes to the waiting list too.
    from django.db.models.signals import post_delete

    from wagtail.signals import page_published

    from .enrolment import on_enrolment_deleted, on_program_published
    from .models import Enrolment, ProgramPage

    page_published.connect(on_program_published, sender=ProgramPage, dispatch_uid="programs_enrolment_fill")
    post_delete.connect(on_enrolment_deleted, sender=Enrolment, dispatch_uid="programs_enrolment_deleted")
    # -- end of enrolment
