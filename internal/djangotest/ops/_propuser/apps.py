from django.apps import AppConfig


class PropUserConfig(AppConfig):
    name = "ops._propuser"
    label = "propuser"
    default_auto_field = "django.db.models.AutoField"
