"""Pages of the digests module: the caller's notice preferences and follows (their own records only),
and the unsubscribe link from a digest with its undo (no sign-in: the signed link is the key; the pages
show the kinds switched off and nothing personal). Bad input is a Chinese message, 422, nothing changed."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.core import notices
from gongzhi.core.errors import ConflictError
from gongzhi.core.permissions import own_records, public, requires
from gongzhi.digests import selectors, sending, services
from gongzhi.digests.manifest import FOLLOW
from gongzhi.digests.models import Frequency

NOT_FOUND = "未找到或无权访问"


def _seen(request) -> int:
    raw = (request.POST.get("seen") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else -1


@own_records
def preferences(request):
    user, error, status = request.user, "", 200
    if request.method == "POST":
        choices = {key[len("kind_"):]: value for key, value in request.POST.items() if key.startswith("kind_")}
        try:
            changed = services.preferences_set(user=user, choices=choices, seen=_seen(request))
        except ConflictError as exc:
            error, status = str(exc), 409
        except services.DigestError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, f"已保存,{changed} 类通知的发送方式有变化。" if changed else "没有变化。")
            return redirect("digests:prefs")
    current = services.frequencies_of(user)
    rows = [{"kind": k, "value": current[k.key]} for k in notices.kinds_for(user)]
    return render(request, "digests/preferences.html", {
        "rows": rows, "hour": sending.digest_hour(), "choices": Frequency.choices, "seen": services.stamp(user), "error": error,
        "follows": selectors.my_follows(user), "digests": selectors.my_digests(user)}, status=status)


def _back(request, fallback: str):
    """Back to the page the button was on: only a path of this site, anything else goes to `fallback`."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and len(target) <= 500 \
            and services.shown(target, 500) == target \
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _message(request, text: str, status: int):
    return render(request, "digests/message.html", {"message": text}, status=status)


@requires(FOLLOW)
@require_POST
def follow(request, target, pk):
    try:
        row = services.follow(user=request.user, target=target, target_id=pk)
    except services.DigestError as exc:
        return _message(request, str(exc), 422)
    if row is None:
        raise Http404(NOT_FOUND)
    messages.success(request, "已关注,它的进展会按您在“通知设置”中的选择送达。")
    return _back(request, "digests:prefs")


@requires(FOLLOW)
@require_POST
def unfollow(request, target, pk):
    try:
        obj = services.unfollow(user=request.user, target=target, target_id=pk)
    except services.DigestError as exc:
        return _message(request, str(exc), 422)
    if obj is None:
        raise Http404(NOT_FOUND)
    messages.success(request, "已取消关注。")
    return _back(request, "digests:prefs")


@public
def unsubscribe(request, token):
    """GET: what the link would switch off, and a button; POST: switch it off, offer the undo."""
    try:
        if request.method == "POST":
            _user, changes, undo_token = services.unsubscribe(token=token)
            labels = _labels([key for key, _ in changes])
            return render(request, "digests/unsubscribed.html", {"labels": labels, "undo_token": undo_token})
        _user, kinds = services.read_unsubscribe(token)
    except services.DigestError as exc:
        return _message(request, str(exc), 422)
    return render(request, "digests/unsubscribe.html", {"kinds": kinds, "token": token})


@public
@require_POST
def undo(request, token):
    try:
        _user, restored = services.undo(token=token)
    except services.DigestError as exc:
        return _message(request, str(exc), 422)
    return render(request, "digests/undone.html", {"restored": restored})


def _labels(keys) -> list[str]:
    kinds = notices.kinds()
    return [kinds[k].label if k in kinds else k for k in keys]
