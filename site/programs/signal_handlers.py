"""Signals of the programs app."""

from django.db.models.signals import post_delete, post_save

from wagtail.signals import page_published


def register_signal_handlers():
    from .completion import on_credit_saved
    from .enrolment import on_enrolment_deleted, on_program_published
    from .models import Enrolment, ProgramPage

    # A program published with a higher capacity gives the new seats to the waiting list; a seat
    # freed by a deleted account goes to the waiting list too (programs.enrolment).
    page_published.connect(on_program_published, sender=ProgramPage, dispatch_uid="programs_enrolment_fill")
    post_delete.connect(on_enrolment_deleted, sender=Enrolment, dispatch_uid="programs_enrolment_deleted")
    # A micro-course credited may complete a program that links it (programs.completion).
    post_save.connect(on_credit_saved, sender="learning.LearningCredit", dispatch_uid="programs_course_credit")
