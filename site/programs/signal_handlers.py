"""Signals of the programs app: each part registers its own here."""

from django.db.models.signals import post_save


def register_signal_handlers():
    # -- attendance: a micro-course credited may complete a program that links it (programs.completion)
    from .completion import on_credit_saved

    post_save.connect(on_credit_saved, sender="learning.LearningCredit", dispatch_uid="programs_course_credit")
    # -- end attendance
