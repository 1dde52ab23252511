"""The desks' share of the scope matrix: community B's station (named after 王五, with 王五 on duty in
its rota) is neither shown nor changed for anyone outside B: its rota, hours, windows, duties, swaps."""
import datetime as dt

ENDPOINTS = {
    "desks:manage": ("GET", lambda w: f"/desks/manage/{w.comm_b.code}/"),
    "desks:hours": ("POST", lambda w: f"/desks/manage/{w.comm_b.code}/hours/"),
    "desks:windows": ("POST", lambda w: f"/desks/manage/{w.comm_b.code}/windows/"),
    "desks:assign": ("POST", lambda w: f"/desks/manage/{w.comm_b.code}/rota/assign/"),
    "desks:fill": ("POST", lambda w: f"/desks/manage/{w.comm_b.code}/rota/fill/"),
    "desks:unassign": ("POST", lambda w: f"/desks/manage/{w.comm_b.code}/rota/{w.desk_duty_b.pk}/remove/"),
    "desks:swap": ("POST", lambda w: f"/desks/manage/{w.comm_b.code}/rota/{w.desk_duty_b.pk}/swap/"),
}
LISTS = {
    "desks:overview": "/desks/manage/",
}
# public by design: hours, windows, guides and today's duty by name and post only
# (tests/desks/test_pages.py::test_public_pages_show_name_and_post_only)
OTHER = {"desks:stations", "desks:station", "desks:station_guides", "desks:guide"}
BODY = {"day": "0", "start": "08:30", "end": "12:00", "needed": "1", "date": "", "user": "", "with_user": "",
        "run_assistance": "1", "items_assistance": "svc_dibao", "days": "14"}


def build(w):
    from gongzhi.desks import services
    from tests.factories import user
    station = services.station_for(w.comm_b)
    today = dt.date.today()
    rows = [(d, "00:00", "23:59", 1) for d in range(8)]  # open every day, so today has a session
    services.set_hours(station=station, rows=rows, by=w.community_worker_b, name="王五楼下服务站", address="王五家旁")
    services.set_windows(station=station, windows={"assistance": ["svc_dibao"]}, by=w.community_worker_b)
    wang = user("desk_wang_b", "community", w.comm_b, display_name="王五")
    w.desk_duty_b = services.assign(station=station, date=today + dt.timedelta(days=1), start=dt.time(0, 0),
                                    user=wang, by=w.community_worker_b, today=today)
    BODY["date"] = f"{today + dt.timedelta(days=2):%Y-%m-%d}"
    BODY["user"] = BODY["with_user"] = str(w.community_worker_b.pk)
    BODY["start"] = "00:00"


def snapshot():
    from gongzhi.desks.models import Duty, Session, Station, StationWindow, Swap
    return (list(Station.objects.order_by("pk").values_list("pk", "name", "address", "version")),
            list(Session.objects.order_by("pk").values_list("pk", "day", "start", "end", "needed")),
            list(StationWindow.objects.order_by("pk").values_list("pk", "window", "items")),
            list(Duty.objects.order_by("pk").values_list("pk", "date", "start", "user_id")),
            Swap.objects.count())
