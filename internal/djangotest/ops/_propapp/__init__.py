"""The profile model of the properties tests (not an ops file: load_ops
skips names starting with "_"): a one-to-one Profile of AUTH_USER_MODEL in
table propstest_profile, the model djangouser/propertiestest describes.
Install it with the harness Config Extra {"INSTALLED_APPS": [...,
"ops._propapp"]}, then run the auth_custom_migrate op."""
default_app_config = "ops._propapp.apps.PropAppConfig"
