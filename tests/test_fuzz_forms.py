"""Hostile input at every form.

First the rule itself: every text field refuses control characters, whichever app made it and
whenever (Django's own sign-in and password forms are built before our apps are ready), and so
do the e-mail, web-address and slug fields, which bring validators of their own.
"""
import pytest
from django import forms

from gongzhi.core.validators import ERR_CONTROL

HOSTILE_CONTROL = ["a\x00b", "张\x1b[31m三", "x\x08", "\u202eevil", "a\u200bb"]


def _refuses(field, value):
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(value)
    return ERR_CONTROL in " ".join(refused.value.messages)


@pytest.mark.parametrize("value", HOSTILE_CONTROL)
def test_sign_in_forms_refuse_control_characters(rf, db, value):
    from gongzhi.accounts.forms import CodeForm, LoginForm, PasswordChangeForm
    from gongzhi.accounts.models import User
    user = User(username="someone")
    forms_ = [LoginForm(rf.post("/accounts/login/")), PasswordChangeForm(user), CodeForm()]
    for form in forms_:
        for name, field in form.fields.items():
            assert _refuses(field, value), (type(form).__name__, name)


@pytest.mark.parametrize("field", [forms.EmailField(), forms.URLField(assume_scheme="https"), forms.SlugField(), forms.CharField(),
                                   forms.RegexField(regex=r".*")])
def test_every_kind_of_text_field_refuses_control_characters(field):
    value = {forms.EmailField: '"a\x01b"@example.com', forms.URLField: "http://example.com/a\x01b",
             forms.SlugField: "a\x01b"}.get(type(field), "a\x01b")
    assert _refuses(field, value)


def test_the_login_page_says_so(client, db):
    response = client.post("/accounts/login/", {"username": "ad\x00min", "password": "x\x00"})
    assert response.status_code == 200 and ERR_CONTROL in response.content.decode()
