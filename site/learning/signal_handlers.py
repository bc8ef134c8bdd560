"""Nothing to react to yet: progress is written by the report endpoint alone."""


def register_signal_handlers():
    pass
