from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError

ERR_MISMATCH = "两次输入的新密码不一致。"
ERR_OLD_PASSWORD = "原密码不正确,请重新输入。"
ERR_CODE_REQUIRED = "请输入验证码。"


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续多次失败后账号将被暂时锁定。",
        "inactive": "该账号已停用。",
    }


def _password_help() -> str:
    return ";".join(password_validation.password_validators_help_texts()) + "。"


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Old password, new one twice; the new one passes every rule of accounts.passwords."""
    error_messages = {"password_mismatch": ERR_MISMATCH, "password_incorrect": ERR_OLD_PASSWORD}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password1"].help_text = _password_help()
        self.fields["new_password2"].label = "再次输入新密码"
        self.fields["new_password2"].help_text = ""


class PasswordResetByAdminForm(forms.Form):
    """An administrator gives a new initial password; the owner must change it at next sign-in."""
    password = forms.CharField(label="新的初始密码", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _password_help() + "账号本人下次登录时须改为自己的密码。"

    def clean_password(self):
        password = self.cleaned_data["password"]
        try:
            password_validation.validate_password(password, self.user)
        except ValidationError as e:
            raise ValidationError(e.messages) from None
        return password


class CodeForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=32, strip=True,
                           error_messages={"required": ERR_CODE_REQUIRED},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                         "inputmode": "text", "autocapitalize": "off",
                                                         "spellcheck": "false"}))
