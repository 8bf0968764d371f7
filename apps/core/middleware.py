from django.shortcuts import render

from apps.core.errors import Unavailable


class ServiceUnavailableMiddleware:
    """Pages that start jobs answer 503 with a clear message when the job queue is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Unavailable):
            return render(request, "503.html", {"message": str(exception)}, status=503)
        return None
