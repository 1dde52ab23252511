"""The forms of the volunteers pages. The services check every value and name what is wrong (a RuleError,
shown as the page's message), so these forms only carry the posted values to them, as sent: they refuse
nothing themselves (no field error of their own, no second wording of a rule)."""
from __future__ import annotations

from django import forms


class _AsSent(forms.Field):
    """One posted value as sent ("" when absent); the service reads and checks it."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return "" if value is None else value


class _AllAsSent(_AsSent):
    """Every value posted under the name (a list of check boxes)."""
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return list(value or ())


class Posted(forms.Form):
    """The POST fields `names` (and the lists `lists`) a service takes, as sent: `cleaned_data` is the
    service's keyword arguments."""

    def __init__(self, data, *names: str, lists: tuple[str, ...] = ()):
        super().__init__(data)
        self.fields.update({name: _AsSent() for name in names})
        self.fields.update({name: _AllAsSent() for name in lists})
