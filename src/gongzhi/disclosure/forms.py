from django import forms

from gongzhi.disclosure.models import BODY_MAX, REASON_MAX, TITLE_MAX, Category


class ItemForm(forms.Form):
    community = forms.ChoiceField(label="社区")
    category = forms.ChoiceField(label="公开类别", choices=[("", "请选择")] + list(Category.choices))
    title = forms.CharField(label="标题", max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"placeholder": "如:2026 年第四季度财务收支情况"}))
    body = forms.CharField(label="公开内容", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}))
    period_start = forms.DateField(label="公开期间自(可不填,默认本期)", required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_end = forms.DateField(label="公开期间至(可不填)", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    attachment = forms.FileField(label="附件(PDF 或图片,可不填)", required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, c.name) for c in communities]
        if len(communities) <= 1:
            self.fields["community"].required = False
            self.fields["community"].widget = forms.HiddenInput()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤下原因", max_length=REASON_MAX)
