from django import forms

from gongzhi.governance.models import TEXT_MAX, TITLE_MAX, RaisedAs, TopicCategory


class TopicForm(forms.Form):
    place_code = forms.ChoiceField(label="所在社区 / 网格", required=False)
    category = forms.ChoiceField(label="类别", choices=[("", "请选择")] + list(TopicCategory.choices))
    title = forms.CharField(label="标题", max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"placeholder": "一句话说清要商量的事"}))
    text = forms.CharField(label="内容", max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 6, "placeholder": "现状、影响到谁、希望怎么办"}))
    building = forms.CharField(label="小区 / 楼栋(可不填)", max_length=60, required=False)
    raised_as = forms.ChoiceField(label="提出身份", choices=RaisedAs.choices)

    def __init__(self, *args, places=(), raised_as=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_code"].choices = [(p.code, p.name) for p in places]
        self.fields["place_code"].required = len(places) > 1
        self.fields["raised_as"].choices = [(v, RaisedAs(v).label) for v in raised_as]
        if len(places) <= 1:
            del self.fields["place_code"]
        if len(raised_as) <= 1:
            self.fields["raised_as"].required = False
            self.fields["raised_as"].widget = forms.HiddenInput()


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    kind = forms.ChoiceField(label="答复方式", choices=[("deliberation", "转入协商"), ("merge", "合并到其他议题"),
                                                       ("order", "转为工单"), ("decline", "不予采纳")],
                             widget=forms.RadioSelect)
    text = forms.CharField(label="答复意见(不予采纳时必填理由)", max_length=TEXT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    merge_into = forms.ChoiceField(label="合并到", required=False)
    order_category = forms.ChoiceField(label="工单类别", required=False)


class RulesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    threshold = forms.IntegerField(label="附议人数", min_value=1, max_value=10000)
    answer_days = forms.IntegerField(label="答复时限(工作日)", min_value=1, max_value=60)
    letter_days = forms.IntegerField(label="信箱答复时限(工作日)", min_value=1, max_value=60, required=False)
