"""The signed-in user's own sign-in security: the code step after the password, changing one's
password, setting up an authenticator and recovery codes. Each page is about the caller alone
(`@own_records`); accounts.middleware sends users here when a step is due."""
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.accounts import services, two_factor
from gongzhi.accounts.forms import CodeForm, PasswordChangeForm
from gongzhi.accounts.middleware import next_url
from gongzhi.core.permissions import own_records

RECOVERY_SESSION = "gongzhi_new_recovery_codes"
OLD_PASSWORD_FAILURES = "gongzhi_old_password_failures"
MAX_OLD_PASSWORD_FAILURES = 5


@own_records
def otp_verify(request):
    """The second step of signing in: the authenticator's code, or a recovery code (each works once)."""
    if request.user.is_verified() or not two_factor.has_device(request.user):
        return redirect(next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(user=request.user, code=form.cleaned_data["code"])
        except two_factor.Throttled as e:
            form.add_error("code", str(e))
        else:
            if device is None:
                form.add_error("code", two_factor.ERR_CODE)
            else:
                two_factor.mark_verified(request, device)
                if device.__class__.__name__ == "StaticDevice":
                    left = two_factor.recovery_codes_left(request.user)
                    messages.warning(request, f"已使用一个恢复码,还剩 {left} 个。"
                                              + ("请尽快生成新的恢复码。" if left <= 3 else ""))
                return redirect(next_url(request))
    return render(request, "accounts/otp.html", {"form": form, "next": request.GET.get("next", "")})


@own_records
def password_change(request):
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)  # this session goes on; every other one of the user's ends
            request.session.pop(OLD_PASSWORD_FAILURES, None)
            messages.success(request, "密码已修改。您在其他设备上的登录已全部退出。")
            return redirect(next_url(request))
        if "old_password" in form.errors:
            # a stolen session cannot try passwords here for ever
            failures = request.session.get(OLD_PASSWORD_FAILURES, 0) + 1
            request.session[OLD_PASSWORD_FAILURES] = failures
            if failures >= MAX_OLD_PASSWORD_FAILURES:
                logout(request)
                messages.error(request, "原密码连续输错多次,已退出登录。")
                return redirect("accounts:login")
    reason = ("您的密码由管理员设置,请先改为只有您自己知道的密码。" if user.must_change_password else
              "您的密码已过期,请设置新密码。" if request.GET.get("expired") or _expired(user) else "")
    return render(request, "accounts/password_change.html",
                  {"form": form, "reason": reason, "next": request.GET.get("next", "")})


def _expired(user) -> bool:
    from gongzhi.accounts.passwords import password_expired
    return password_expired(user)


@own_records
def two_factor_page(request):
    """Status of one's two-factor sign-in: set up, replace the authenticator, new recovery codes."""
    user = request.user
    return render(request, "accounts/two_factor.html", {
        "device": two_factor.confirmed_device(user),
        "required": two_factor.required_for(user, request.scope.all_assignments),
        "codes_left": two_factor.recovery_codes_left(user),
    })


@own_records
def two_factor_setup(request):
    """Set up an authenticator: scan the QR code (or type the secret), confirm with a code it shows;
    the recovery codes follow, shown once. Replacing an authenticator needs a verified session."""
    user = request.user
    if two_factor.has_device(user) and not user.is_verified():
        return redirect("accounts:otp")
    device = two_factor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(user=user, device=device, code=form.cleaned_data["code"])
        except two_factor.Throttled as e:
            form.add_error("code", str(e))
            codes = None
        else:
            if codes is None:
                form.add_error("code", two_factor.ERR_SETUP_CODE)
        if codes is not None:
            device.refresh_from_db()
            two_factor.mark_verified(request, device)
            request.session[RECOVERY_SESSION] = codes
            messages.success(request, "两步验证已启用。")
            return redirect("accounts:recovery_codes")
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_text(device),
        "required": two_factor.required_for(user, request.scope.all_assignments),
    })


@own_records
def recovery_codes(request):
    """The recovery codes just made, shown this once (a reload shows them no more); POST makes new ones."""
    user = request.user
    if request.method == "POST":
        if not user.is_verified():
            return redirect("accounts:otp")
        codes = two_factor.new_recovery_codes(user=user)
    else:
        codes = request.session.pop(RECOVERY_SESSION, None)
    return render(request, "accounts/recovery_codes.html", {"codes": codes,
                                                             "codes_left": two_factor.recovery_codes_left(user)})


@own_records
@require_POST
def two_factor_disable(request):
    """Turn two-factor sign-in off: only for those whose posts do not require it, from a verified session."""
    user = request.user
    if two_factor.required_for(user, request.scope.all_assignments):
        messages.error(request, "您的账号必须使用两步验证,不能关闭。")
    elif not user.is_verified():
        return redirect("accounts:otp")
    else:
        two_factor.reset(user=user)
        two_factor.forget_verified(request)
        messages.success(request, "两步验证已关闭。")
    return redirect("accounts:two_factor")
