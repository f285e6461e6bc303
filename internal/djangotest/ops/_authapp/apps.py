from django.apps import AppConfig


class AuthAppConfig(AppConfig):
    name = "ops._authapp"
    label = "authapp"
    default_auto_field = "django.db.models.AutoField"
