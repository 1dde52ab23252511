from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from gongzhi.audit import throttle
from gongzhi.audit.services import client_ip


class LoginThrottleMiddleware:
    """A sign-in (POST to the login page) from a source address that failed too often lately is
    answered 429 with the wait, before any password is checked (gongzhi.audit.throttle)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._login_path = None

    def __call__(self, request):
        if request.method == "POST":
            if self._login_path is None:
                self._login_path = reverse(settings.LOGIN_URL)
            if request.path == self._login_path:
                wait = throttle.source_wait(client_ip(request))
                if wait:
                    minutes = max(1, (wait + 59) // 60)
                    response = render(request, "audit/throttled.html",
                                      {"message": throttle.THROTTLED.format(minutes=minutes)}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
        return self.get_response(request)
