"""Resident accounts on the page: the resident opens their own on a phone (three public steps, the
state kept in the session), a community worker opens one at the desk, and the resident's home page.
The rules are in people.resident_accounts."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gongzhi.core import crypto, idcard
from gongzhi.core.permissions import ERR_NO_PERMISSION, own_records, public, requires
from gongzhi.people import resident_panels, selectors
from gongzhi.people import resident_accounts as accounts
from gongzhi.people.manifest import OPEN_RESIDENT_ACCOUNTS
from gongzhi.people.models import Resident
from gongzhi.people.signup_flow import ThreeStepFlow, account_refused, match_refused, status_of

# the three steps must be done within half an hour of the match
FLOW = ThreeStepFlow("resident_signup", expired_message="开户流程已超时或未开始,请重新填写",
                     start_url="people:signup")
BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignupForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label="手机号码", max_length=20, help_text="登记在社区的手机号码,验证码将发送到这个号码",
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class CodeForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=10, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class PasswordForm(forms.Form):
    username = forms.CharField(label="登录名", max_length=30, help_text="以后用它登录,3–30 位字母、数字或汉字")
    password1 = forms.CharField(label="密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少 8 位,包含大写字母、小写字母、数字、符号中的三类")
    password2 = forms.CharField(label="再次输入密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", accounts.ERR_PASSWORDS_DIFFER)
        return data


class DeskForm(PasswordForm):
    password1 = forms.CharField(label="初始密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="居民首次登录时须改为自己的密码")
    password2 = forms.CharField(label="再次输入初始密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


def _flow(request, stage: str) -> Resident | None:
    """The resident of the sign-up under way in this session, if it reached `stage` in time."""
    state = FLOW.state(request, stage)
    if state is None:
        return None
    return Resident.objects.filter(pk=state.get("resident")).select_related("community", "grid").first()


def _page(request, template, ctx, status=200):
    return render(request, template, ctx, status=status)


@public
@require_http_methods(["GET", "POST"])
def signup(request):
    """Step 1: name, ID number and mobile number, matched against the registry."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            resident = accounts.signup_match(request=request, name=d["name"], id_number=d["id_number"],
                                             phone=d["phone"])
            accounts.signup_send_code(resident=resident, phone=accounts.normalise_phone(d["phone"]))
        except idcard.IdNumberError as e:
            form.add_error("id_number", str(e))
        except accounts.SignupError as e:
            status = match_refused(form, str(e))
        else:
            FLOW.begin(request, resident=resident.pk)
            return redirect("people:signup_code")
    return _page(request, "people/signup.html", {"form": form, "step": 1}, status)


@public
@require_http_methods(["GET", "POST"])
def signup_code(request):
    """Step 2: the code sent to the registered mobile (or a new one, a minute after the last)."""
    resident = _flow(request, "code")
    if resident is None:
        return FLOW.restart(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if "resend" in request.POST:
                accounts.signup_send_code(resident=resident, phone=crypto.decrypt(resident.phone_enc))
                messages.success(request, "新的验证码已发送")
                return redirect("people:signup_code")
            accounts.signup_verify(request=request, resident=resident, code=form.cleaned_data["code"])
        except accounts.SignupError as e:
            form.add_error("code", str(e))
            status = status_of(str(e))
        else:
            FLOW.verified(request)
            return redirect("people:signup_password")
    return _page(request, "people/signup_code.html",
                 {"form": form, "step": 2, "phone": resident.phone_masked,
                  "minutes": accounts.CODE_VALID_SECONDS // 60}, status)


@public
@require_http_methods(["GET", "POST"])
def signup_password(request):
    """Step 3: the login name and password; the account opens and the resident is signed in."""
    resident = _flow(request, "password")
    if resident is None:
        return FLOW.restart(request)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = accounts.resident_account_open(resident=resident, username=d["username"],
                                                  password=d["password1"], request=request)
        except accounts.SignupError as e:
            account_refused(form, str(e))
        else:
            FLOW.end(request)
            login(request, user, backend=BACKEND)
            messages.success(request, f"{resident.name},您的居民账号已开通")
            return redirect("core:home")
    return _page(request, "people/signup_password.html", {"form": form, "step": 3, "name": resident.name})


@requires(OPEN_RESIDENT_ACCOUNTS)
@require_http_methods(["GET", "POST"])
def desk_open(request, pk):
    """A community worker opens the account of a resident of their community (an elder at the desk):
    no code, an initial password the resident changes at first sign-in."""
    resident = selectors.access_resident(request.scope, pk)
    if not request.scope.can(OPEN_RESIDENT_ACCOUNTS, resident.community):
        raise PermissionDenied(ERR_NO_PERMISSION)
    account = getattr(resident, "account", None)  # the reverse one-to-one: None when not opened
    form = DeskForm(request.POST or None)
    if request.method == "POST" and account is None and form.is_valid():
        d = form.cleaned_data
        try:
            user = accounts.resident_account_open(resident=resident, username=d["username"],
                                                  password=d["password1"], by=request.user, request=request,
                                                  at_desk=True)
        except accounts.SignupError as e:
            account_refused(form, str(e))
        else:
            messages.success(request, f"已为 {resident.name} 开通居民账号,登录名 {user.username};"
                                      f"请将初始密码交给本人,首次登录时须修改")
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/desk_open.html", {"resident": resident, "account": account, "form": form})


@own_records
def resident_home(request):
    """The resident's home on a phone: the panels modules register under `resident_panels`."""
    if request.scope.is_staff:
        return redirect("core:home")
    return render(request, "people/resident_home.html", {
        "me": getattr(request.user, "resident", None), "panels": resident_panels.render(request)})
