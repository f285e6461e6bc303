#!/usr/bin/env python3
"""The Django half of the djangobridge side-by-side demo.

    ../shared/django/python 5.2 examples/django_app/manage.py runserver 8003

Settings come from the environment, with the same names the Go demo
(go run ./examples/sidebyside) reads: see demo/settings.py.
"""
import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
