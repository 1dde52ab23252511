from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.accounts import selectors, services, two_factor
from gongzhi.accounts.forms import PasswordResetByAdminForm
from gongzhi.accounts.manifest import MANAGE_ACCOUNTS
from gongzhi.accounts.models import Role, User
from gongzhi.core.permissions import requires


class AccountForm(forms.Form):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 @.+-_"})
    display_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=[c for c in Role.choices if c[0] != Role.RESIDENT])
    place_code = forms.CharField(label="所在区划/网格代码", max_length=20)
    department = forms.CharField(label="部门(职能部门填写)", max_length=50, required=False)
    password = forms.CharField(label="初始密码", strip=False, widget=forms.PasswordInput,
                               help_text="账号本人首次登录时须改为自己的密码。")

    def clean(self):
        data = super().clean()
        if data.get("password"):
            # checked against the new account's user name and name as well
            someone = User(username=data.get("username", ""), display_name=data.get("display_name", ""))
            try:
                validate_password(data["password"], someone)
            except ValidationError as e:
                self.add_error("password", e.messages)
        return data


@requires(MANAGE_ACCOUNTS)
def account_list(request):
    users = selectors.users_in_scope(request.scope)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    enrolled = two_factor.users_with_device([u.pk for u in page])
    locks = selectors.sign_in_locks(u.username for u in page)  # from any address, not the admin's own
    for u in page:
        u.locked = u.username in locks
        u.two_factor = u.pk in enrolled
    return render(request, "accounts/list.html", {"page": page})


@requires(MANAGE_ACCOUNTS)
def account_new(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = request.scope.places().filter(code=data["place_code"].strip()).first()
        if place is None:
            form.add_error("place_code", f"代码 {data['place_code']} 不存在或不在您的管辖范围内")
        else:
            try:
                user = services.account_create(username=data["username"], display_name=data["display_name"],
                                               password=data["password"], role=data["role"], place=place,
                                               department=data["department"], by=request.user)
            except services.AccountError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, f"已创建账号 {user.username}")
                return redirect("accounts:list")
    return render(request, "core/form_page.html", {"form": form, "title": "新建账号", "back": "/accounts/"})


@requires(MANAGE_ACCOUNTS)
@require_POST
def account_toggle(request, pk):
    user = selectors.access_user(request.scope, pk)
    if user.pk == request.user.pk:
        messages.error(request, "不能停用自己的账号")
    else:
        services.account_set_active(user=user, active=not user.is_active, by=request.user)
        messages.success(request, f"账号 {user.username} 已{'启用' if user.is_active else '停用'}")
    return redirect("accounts:list")


@requires(MANAGE_ACCOUNTS)
@require_POST
def account_unlock(request, pk):
    user = selectors.access_user(request.scope, pk)
    services.account_unlock(user=user, by=request.user)
    messages.success(request, f"账号 {user.username} 已解锁")
    return redirect("accounts:list")


@requires(MANAGE_ACCOUNTS)
def account_reset_password(request, pk):
    """A new initial password for an account of one's scope; its owner changes it at next sign-in."""
    user = selectors.access_user(request.scope, pk)
    form = PasswordResetByAdminForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_reset_password(user=user, password=form.cleaned_data["password"], by=request.user)
        messages.success(request, f"{user} 的密码已重置,本人下次登录时须修改密码")
        return redirect("accounts:list")
    return render(request, "core/form_page.html",
                  {"form": form, "title": f"重置 {user} 的密码", "back": "/accounts/"})


@requires(MANAGE_ACCOUNTS)
@require_POST
def account_reset_two_factor(request, pk):
    """The owner lost their authenticator: they sign in again and set up a new one."""
    user = selectors.access_user(request.scope, pk)
    services.account_reset_two_factor(user=user, by=request.user)
    messages.success(request, f"{user} 的两步验证已重置,本人下次登录时重新设置")
    return redirect("accounts:list")
