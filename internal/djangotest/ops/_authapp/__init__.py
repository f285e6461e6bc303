"""A custom user model for the djangouser tests (not an ops file: load_ops
skips names starting with "_"). Install it with the harness Config
Extra {"INSTALLED_APPS": [... "ops._authapp"], "AUTH_USER_MODEL":
"authapp.Member"}, then run the auth_custom_migrate op."""
default_app_config = "ops._authapp.apps.AuthAppConfig"
