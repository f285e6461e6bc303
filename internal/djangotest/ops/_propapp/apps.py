from django.apps import AppConfig


class PropAppConfig(AppConfig):
    name = "ops._propapp"
    label = "propapp"
    default_auto_field = "django.db.models.AutoField"
