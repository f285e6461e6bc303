from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("api/whoami", views.whoami),
    path("api/login", views.login_view),
    path("api/logout", views.logout_view),
    path("api/session", views.session_view),
    path("api/password", views.password_view),
    path("api/perm", views.perm_view),
]
