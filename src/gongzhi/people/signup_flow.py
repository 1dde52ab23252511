"""The page side of a public three-step account opening on a phone (match → code → login name and password),
shared by the resident sign-up (people.resident_account_views) and the family account of a relative outside
the registry (care.family_join_views). Only the session state and where errors go live here; the rules
(matching, codes, throttling) stay in people.resident_accounts and the modules' services."""
from __future__ import annotations

import time

from django.contrib import messages
from django.shortcuts import redirect

from gongzhi.people.resident_accounts import ERR_PHONE

TOO_MANY = "尝试次数过多"  # the throttle's wording (people.resident_accounts): answered with 429


class ThreeStepFlow:
    """The state of one opening under way, kept in the session under `key` for `seconds` after the match.
    Step 2 needs a state; step 3 needs a state whose code was verified."""

    def __init__(self, key: str, *, expired_message: str, start_url: str, seconds: int = 30 * 60):
        self.key, self.expired_message, self.start_url, self.seconds = key, expired_message, start_url, seconds

    def begin(self, request, **state) -> None:
        request.session.cycle_key()  # a new session id once the person is matched
        request.session[self.key] = {**state, "at": time.time(), "verified": False}

    def state(self, request, stage: str) -> dict | None:
        """The flow's state if it reached `stage` ("code" or "password") in time, else None."""
        state = request.session.get(self.key) or {}
        if not state or time.time() - state.get("at", 0) > self.seconds:
            return None
        if stage == "password" and not state.get("verified"):
            return None
        return state

    def verified(self, request) -> None:
        state = request.session[self.key]
        state["verified"] = True
        request.session[self.key] = state

    def end(self, request) -> None:
        request.session.pop(self.key, None)

    def restart(self, request):
        """The answer to a step reached without a live flow: back to step 1 with the reason."""
        messages.error(request, self.expired_message)
        return redirect(self.start_url)


def status_of(message: str) -> int:
    return 429 if TOO_MANY in message else 200


def match_refused(form, message: str) -> int:
    """Step 1 refused: the error under the mobile number when it is the number that did not match."""
    form.add_error("phone" if message == ERR_PHONE else None, message)
    return status_of(message)


def account_refused(form, message: str) -> None:
    """Step 3 (or the desk) refused: the error under the password or the login name it is about."""
    field = ("password1" if ("密码" in message or "口令" in message)
             else "username" if "登录名" in message else None)
    form.add_error(field, message)
