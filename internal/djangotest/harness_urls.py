"""ROOT_URLCONF of the djangotest harness.

Empty by default; an ops file that needs Django views (to run a request
through the middleware with django.test.Client) appends to urlpatterns when
it is imported, which happens before the first request is resolved.
"""

urlpatterns = []
