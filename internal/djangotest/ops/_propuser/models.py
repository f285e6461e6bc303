"""Person: AbstractUser (auth.User's columns) plus extra fields, in table
propstest_person, as a project's accounts app would define it."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Person(AbstractUser):
    nickname = models.CharField(max_length=30, blank=True)
    level = models.SmallIntegerField(default=1)
    vip = models.BooleanField(default=False)
    last_seen = models.DateTimeField(null=True)
    balance = models.BigIntegerField(null=True)
    born = models.DateField(null=True)
    weight = models.FloatField(null=True)

    class Meta:
        app_label = "propuser"
        db_table = "propstest_person"
