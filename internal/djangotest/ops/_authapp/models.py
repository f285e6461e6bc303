"""Member: AbstractBaseUser + PermissionsMixin, logging in by e-mail, with a
UUID primary key and two extra columns, in table accounts_member, as a
Django project's accounts app would define it."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class MemberManager(BaseUserManager):
    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Member(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    nickname = models.CharField(max_length=50, default="")
    credits = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    objects = MemberManager()

    class Meta:
        app_label = "authapp"
        db_table = "accounts_member"


class OwnerManager(BaseUserManager):
    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class Owner(AbstractBaseUser):
    """A custom user without PermissionsMixin (no is_superuser, no groups or
    user_permissions tables), table accounts_owner, logging in by e-mail."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)

    USERNAME_FIELD = "email"
    objects = OwnerManager()

    class Meta:
        app_label = "authapp"
        db_table = "accounts_owner"
