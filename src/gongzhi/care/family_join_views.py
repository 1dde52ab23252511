"""A relative outside the registry opens their family account: three public steps on a phone, the state kept
in the session by the flow the resident sign-up uses (people.signup_flow). Rules: care/family_join.py."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gongzhi.care import family_join
from gongzhi.core import idcard
from gongzhi.core.permissions import public
from gongzhi.people import resident_accounts as signup
from gongzhi.people.resident_account_views import BACKEND, CodeForm, PasswordForm, SignupForm
from gongzhi.people.signup_flow import ThreeStepFlow, account_refused, match_refused, status_of

FLOW = ThreeStepFlow("family_join", expired_message="开通流程已超时或未开始,请重新填写",
                     start_url="care:family_join")


class JoinForm(SignupForm):
    phone = forms.CharField(label="手机号码", max_length=20, help_text="社区工作者为您登记的手机号码,验证码将发送到这个号码",
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


@public
@require_http_methods(["GET", "POST"])
def join(request):
    """Step 1: name, ID number and mobile number, matched against the links waiting for this relative."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            id_hash = family_join.join_match(request=request, name=d["name"], id_number=d["id_number"],
                                             phone=d["phone"])
            phone = signup.normalise_phone(d["phone"])
            family_join.join_send_code(id_hash=id_hash, phone=phone)
        except idcard.IdNumberError as e:
            form.add_error("id_number", str(e))
        except signup.SignupError as e:
            status = match_refused(form, str(e))
        else:
            # the number itself is not kept: a new code is asked for from step 1 again
            FLOW.begin(request, id_hash=id_hash, tail=phone[-4:])
            return redirect("care:family_join_code")
    return render(request, "care/family_join.html", {"form": form, "step": 1}, status=status)


@public
@require_http_methods(["GET", "POST"])
def join_code(request):
    """Step 2: the code sent to the mobile (a new one: step 1 again, a minute after the last)."""
    state = FLOW.state(request, "code")
    if state is None:
        return FLOW.restart(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            family_join.join_verify(request=request, id_hash=state["id_hash"], code=form.cleaned_data["code"])
        except signup.SignupError as e:
            form.add_error("code", str(e))
            status = status_of(str(e))
        else:
            FLOW.verified(request)
            return redirect("care:family_join_account")
    return render(request, "care/family_join_code.html",
                  {"form": form, "step": 2, "tail": state["tail"],
                   "minutes": signup.CODE_VALID_SECONDS // 60}, status=status)


@public
@require_http_methods(["GET", "POST"])
def join_account(request):
    """Step 3: the login name and password; the account opens, takes the waiting links, and is signed in."""
    state = FLOW.state(request, "password")
    if state is None:
        return FLOW.restart(request)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = family_join.join_open(id_hash=state["id_hash"], username=d["username"], password=d["password1"],
                                         request=request)
        except signup.SignupError as e:
            account_refused(form, str(e))
        else:
            FLOW.end(request)
            login(request, user, backend=BACKEND)
            messages.success(request, f"{user.display_name},您的家属账号已开通")
            return redirect("care:family")
    return render(request, "care/family_join_account.html", {"form": form, "step": 3})
