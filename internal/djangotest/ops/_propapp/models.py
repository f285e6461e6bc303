"""Profile: the profile model of djangouser/propertiestest.Settings."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(blank=True)
    motto = models.CharField(max_length=20, blank=True)
    score = models.IntegerField(null=True)
    verified = models.BooleanField(default=False)
    birthday = models.DateField(null=True)
    seen = models.DateTimeField(null=True)
    ratio = models.FloatField(null=True)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        app_label = "propapp"
        db_table = "propstest_profile"
