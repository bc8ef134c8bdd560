"""Signals of the programs app: each part registers its own here."""


def register_signal_handlers():
    pass
