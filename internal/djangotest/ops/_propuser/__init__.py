"""A custom user model with extra fields of each type for the properties
tests (not an ops file). Install it with the harness Config Extra
{"INSTALLED_APPS": [..., "ops._propuser"], "AUTH_USER_MODEL":
"propuser.Person"}, then run the auth_custom_migrate op."""
default_app_config = "ops._propuser.apps.PropUserConfig"
