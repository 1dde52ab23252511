"""Input rules shared by every app: phone numbers, and no control characters.

Control characters (NUL, escape, backspace ... pasted from other systems) are
refused at every input with a message that says so: every form's CharField
(`ready()` adds `no_control_characters` to CharField's defaults), the JSON API
and Open311 (through `check_text`), and the importer (per cell). Line breaks
and tabs stay allowed in free text; one-line fields (household numbers,
names, codes) refuse them too (`single_line`).
"""
import re

from django import forms
from django.core.exceptions import ValidationError

# An 11-digit mobile number, or a landline with its area code.
PHONE_FIELD = dict(regex=r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
                   error_messages={"invalid": "联系电话格式不正确(11位手机号或带区号的固定电话)"})

# C0/C1 controls, line/paragraph separators, and invisible format characters that spoof names and
# defeat search (zero-width space, direction marks and overrides, the byte-order mark); the
# zero-width joiners stay allowed, emoji sequences typed on phones use them
CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
LINE_BREAKS = re.compile(r"[\r\n\t]")
ERR_CONTROL = "含有不可见的控制字符,请删除后重新输入"
ERR_LINE_BREAK = "不能包含换行或制表符"


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value or ""))


def no_control_characters(value) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(ERR_CONTROL, code="control_characters")


def single_line(value) -> None:
    if isinstance(value, str) and LINE_BREAKS.search(value):
        raise ValidationError(ERR_LINE_BREAK, code="line_break")


def check_text(value: str, where: str) -> str:
    """For inputs that are not forms (API, Open311): the text, or ValueError naming the field."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValueError(f"{where}{ERR_CONTROL}")
    return value


def refuse_control_characters_in_every_form() -> None:
    """Every forms.CharField (and its subclasses) gets the check, whatever app defines it.

    `default_validators` reaches fields made from now on; fields made earlier (Django's sign-in
    and password forms are built when django.contrib.auth.forms is imported, before our apps are
    ready) and subclasses with validators of their own (EmailField, URLField, SlugField) are
    reached by the check that `run_validators` adds, first, so the message says what is wrong."""
    if no_control_characters not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, no_control_characters]
    if not getattr(forms.CharField.run_validators, "refuses_control_characters", False):
        run_validators = forms.CharField.run_validators

        def run_validators_refusing_control_characters(self, value):
            if value not in self.empty_values:
                no_control_characters(value)
            run_validators(self, value)
        run_validators_refusing_control_characters.refuses_control_characters = True
        forms.CharField.run_validators = run_validators_refusing_control_characters


# The widest integer column (bigint); larger ids name no row.
MAX_ID = 2**63 - 1


def refuse_ids_out_of_range() -> None:
    """A ModelMultipleChoiceField asks the database about every id it is sent; an id no integer
    column can hold (99999999999999999999) makes SQLite raise OverflowError, a server error.
    Such ids are refused as not among the choices, before the query."""
    from django.db import models
    from django.forms.models import ModelMultipleChoiceField
    if getattr(ModelMultipleChoiceField._check_values, "refuses_ids_out_of_range", False):
        return
    check_values = ModelMultipleChoiceField._check_values

    def check_values_in_range(self, value):
        field = self.queryset.model._meta.get_field(self.to_field_name) if self.to_field_name \
            else self.queryset.model._meta.pk
        if isinstance(field, models.IntegerField):
            for pk in value or ():
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # Django's own check names it
                if not -MAX_ID <= number <= MAX_ID:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": pk})
        return check_values(self, value)
    check_values_in_range.refuses_ids_out_of_range = True
    ModelMultipleChoiceField._check_values = check_values_in_range
