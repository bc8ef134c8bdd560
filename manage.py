#!/usr/bin/env python
"""Django's command-line utility for the counselor training resource hub."""

import os
import sys
from pathlib import Path

# `site` is a standard-library module, so the Wagtail project folder can never be
# imported as a package: its apps (home, resources, …) live on sys.path instead.
sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
