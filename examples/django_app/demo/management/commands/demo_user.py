"""manage.py demo_user [username] [password]: create the demo user if missing.

The Go demo creates demo/demo on its default SQLite database; this does the
same for a database Django migrated (the benchmark's PostgreSQL, say).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo user (default demo/demo) if it does not exist."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="demo")
        parser.add_argument("password", nargs="?", default="demo")

    def handle(self, *args, **opts):
        User = get_user_model()
        if User.objects.filter(username=opts["username"]).exists():
            self.stdout.write("user %s exists" % opts["username"])
            return
        User.objects.create_user(opts["username"], "", opts["password"])
        self.stdout.write("created user %s" % opts["username"])
