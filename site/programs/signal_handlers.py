"""Signals of the programs app: each part registers its own here."""


def register_signal_handlers():
    # -- enrolment: a program published with a higher capacity gives the new seats to the waiting list.
    from wagtail.signals import page_published

    from .enrolment import on_program_published
    from .models import ProgramPage

    page_published.connect(on_program_published, sender=ProgramPage, dispatch_uid="programs_enrolment_fill")
    # -- end of enrolment
