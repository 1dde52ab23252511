"""The admin's catalogue of categories and service items, and the working-day calendar."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from gongzhi.core.errors import record_refusal
from gongzhi.core.permissions import requires
from gongzhi.workorders import selectors, services
from gongzhi.workorders.manifest import EDIT_CATALOGUE
from gongzhi.workorders.forms import CalendarDayForm, CategoryForm
from gongzhi.workorders.models import Category, Kind


@requires(EDIT_CATALOGUE)
def catalogue(request):
    items = selectors.categories(active_only=False).select_related("locality")
    return render(request, "workorders/catalogue.html", {"items": items})


@requires(EDIT_CATALOGUE)
def category_edit(request, code=None):
    import json

    category = None
    if code is not None:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise Http404("未找到")
    initial = {"kind": Kind.INCIDENT, "route_level": "community", "accept_days": 1, "handle_days": 5,
               "verify_days": 2, "is_public": True, "active": True, "sort": 100, "attributes": "[]"}
    if category is not None:
        initial = {f: getattr(category, f) for f in ("code", "kind", "name", "description", "route_level",
                                                     "route_department", "window", "accept_days", "handle_days",
                                                     "verify_days", "is_public", "is_dispute", "active", "sort",
                                                     "version")}
        initial["materials"] = "\n".join(category.materials)
        initial["attributes"] = json.dumps(category.attributes, ensure_ascii=False, indent=1)
    form = CategoryForm(request.POST or None, initial=initial)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.category_save(by=request.user, category=category, version=form.cleaned_data["version"],
                                           fields=form.cleaned_data)
        except services.ConflictError as exc:
            error, status = str(exc), 409
        except services.WorkflowError as exc:
            record_refusal(exc)  # e.g. admission counts a category its lists refused
            error, status = str(exc), 400
        else:
            messages.success(request, f"已保存「{saved.name}」")
            return redirect("workorders:catalogue")
    return render(request, "workorders/category_edit.html", {"form": form, "category": category, "error": error},
                  status=status)


ERR_YEAR = "年份应为 2000 到 {last} 之间的数字"


@requires(EDIT_CATALOGUE)
def calendar(request):
    from gongzhi.workorders.models import CalendarDay

    this_year = timezone.localdate().year
    error = None
    try:
        year = int(request.GET.get("year") or this_year)
        if not 2000 <= year <= this_year + 5:
            raise ValueError
    except ValueError:
        year, error = this_year, ERR_YEAR.format(last=this_year + 5)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            try:
                day = dt.date.fromisoformat(request.POST["remove"])
            except ValueError:
                raise Http404("日期无效") from None
            services.calendar_day_remove(by=request.user, date=day)
            messages.success(request, f"已删除 {day}")
            return redirect(f"{request.path}?year={day.year}")
        if form.is_valid():
            d = form.cleaned_data
            services.calendar_day_set(by=request.user, date=d["date"], is_workday=d["is_workday"], name=d["name"])
            messages.success(request, f"已设置 {d['date']}")
            return redirect(f"{request.path}?year={d['date'].year}")
    days = CalendarDay.objects.filter(date__year=year)
    return render(request, "workorders/calendar.html", {"form": form, "days": days, "year": year, "error": error},
                  status=400 if error else 200)
