from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView
from django_registration.backends.activation.views import ActivationView, RegistrationView

from . import views

urlpatterns = [
    path("", views.index),
    path("api/whoami", views.whoami),
    path("api/login", views.login_view),
    path("api/logout", views.logout_view),
    path("api/session", views.session_view),
    path("api/password", views.password_view),
    path("api/perm", views.perm_view),
    path("api/messages", views.messages_view),
    path("messages/", views.messages_page),
    # django-registration's two-step activation and Django's reset views, on
    # the paths of the links the Go apps mail and of the Go apps' account
    # pages (examples/sidebyside/accountpages.go), so a flow can start on one
    # side and end on the other (issue 13). The emails (activation, reset)
    # go to the console (EMAIL_BACKEND in settings.py), their links to this
    # app's host.
    path("accounts/register/", RegistrationView.as_view(), name="django_registration_register"),
    path("accounts/register/complete/",
         TemplateView.as_view(template_name="django_registration/registration_complete.html"),
         name="django_registration_complete"),
    path("accounts/register/closed/",
         TemplateView.as_view(template_name="django_registration/registration_closed.html"),
         name="django_registration_disallowed"),
    path("accounts/activate/complete/",
         TemplateView.as_view(template_name="django_registration/activation_complete.html"),
         name="django_registration_activation_complete"),
    path("accounts/activate/<str:activation_key>/", ActivationView.as_view(),
         name="django_registration_activate"),
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
