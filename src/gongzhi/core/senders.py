"""The pluggable senders: how a text leaves the platform (console, e-mail, an SMS gateway).

`settings.GONGZHI_NOTIFY_SENDERS` lists dotted paths of sender classes; every layer reads them
here (the kernel), so the people layer can send a sign-up code to a phone without knowing the
work-order engine, whose inbox notices (`workorders.notify`) go through the same senders.

A sender is a class with
- `send(user_or_id, text)`: a notice to an account; `needs_user = True` gets the `User` row,
  `False` only its id;
- optionally `send_to_phone(phone, text)`: a text to a mobile number that has no account yet
  (a one-time code). Senders without it are skipped for such texts.
"""
from __future__ import annotations

import logging
import sys
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class ConsoleSender:
    """Prints notices; the default, so a fresh install needs no gateway.
    It needs only the user's id, so no user rows are read for it."""

    needs_user = False

    def send(self, user_id, text: str) -> None:
        print(f"[通知] 用户 {user_id}: {text}", file=sys.stdout, flush=True)

    def send_to_phone(self, phone: str, text: str) -> None:
        # the number masked as the lists mask it: the console is a log, the code is what the demo needs
        from gongzhi.core.crypto import mask_phone
        print(f"[短信] {mask_phone(phone)}: {text}", file=sys.stdout, flush=True)


class EmailSender:
    """Sends through Django's e-mail backend to users that have an address.
    A sender with `needs_user = True` gets the User row; otherwise the id."""

    needs_user = True

    def send(self, user, text: str) -> None:
        if user.email:
            send_mail("共治平台通知", text, None, [user.email], fail_silently=True)


_muted = threading.local()


@contextmanager
def muted():
    """Inbox rows only, no external senders (demo history, bulk loads). Nests: the outer one still holds
    after an inner one ends."""
    before = getattr(_muted, "on", False)
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = before


def senders() -> list:
    """An instance of each configured sender (none while muted)."""
    if getattr(_muted, "on", False):
        return []
    return [import_string(path)() for path in getattr(settings, "GONGZHI_NOTIFY_SENDERS", [])]


def phone_senders() -> list:
    """The configured senders that can reach a mobile number (`send_to_phone`)."""
    return [s for s in senders() if callable(getattr(s, "send_to_phone", None))]


def send_to_phone(phone: str, text: str) -> int:
    """Send `text` to `phone` through every sender that can; returns how many took it.
    A broken gateway is logged, not raised: the caller tells the user when none took it."""
    sent = 0
    for sender in phone_senders():
        try:
            sender.send_to_phone(phone, text)
            sent += 1
        except Exception:
            log.exception("phone sender %s failed", type(sender).__name__)
    return sent
