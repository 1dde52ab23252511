"""Every demo account can use the work-order pages on the demo district:
each page answers, shows what the role should see, and refuses what it should not."""
import re

from gongzhi.accounts.models import User
from gongzhi.core import demo
from gongzhi.workorders.models import WorkOrder

PAGES = ["/orders/?state=", "/orders/new/", "/orders/inbox/", "/orders/figures/", "/orders/visits/",
         "/orders/disputes/", "/orders/catalogue/", "/orders/calendar/", "/orders/public/map/", "/"]
REFUSED = {
    "resident": {"/orders/figures/", "/orders/visits/", "/orders/disputes/", "/orders/catalogue/",
                 "/orders/calendar/", "/"},
    # more resident accounts (other households of the same grid): the same pages, and only their own orders
    "resident2": {"/orders/figures/", "/orders/visits/", "/orders/disputes/", "/orders/catalogue/",
                  "/orders/calendar/", "/"},
    "resident3": {"/orders/figures/", "/orders/visits/", "/orders/disputes/", "/orders/catalogue/",
                  "/orders/calendar/", "/"},
    # departments keep no visit log and read none (VIEW_VISITS): refused, as the header hides the link
    "department": {"/orders/new/", "/orders/visits/", "/orders/catalogue/", "/orders/calendar/"},
    "street": {"/orders/catalogue/", "/orders/calendar/"},
    "community": {"/orders/catalogue/", "/orders/calendar/"},
    "community2": {"/orders/catalogue/", "/orders/calendar/"},
    "grid": {"/orders/catalogue/", "/orders/calendar/"},
    "admin": set(),
    # 三员分立: the auditor and the security administrator handle no work orders
    "auditor": {"/orders/?state=", "/orders/new/", "/orders/figures/", "/orders/visits/", "/orders/disputes/",
                "/orders/catalogue/", "/orders/calendar/"},
    "security": {"/orders/?state=", "/orders/new/", "/orders/figures/", "/orders/visits/", "/orders/disputes/",
                 "/orders/catalogue/", "/orders/calendar/"},
    # a social organisation's worker: the service network's pages, no work orders (yet)
    "provider": {"/orders/?state=", "/orders/new/", "/orders/figures/", "/orders/visits/", "/orders/disputes/",
                 "/orders/catalogue/", "/orders/calendar/"},
    # a property firm's account: its complaints are on its own page (/estates/mine/), not the order desk
    "wuye": {"/orders/?state=", "/orders/new/", "/orders/figures/", "/orders/visits/", "/orders/disputes/",
             "/orders/catalogue/", "/orders/calendar/"},
}


def test_each_role_uses_the_work_order_pages(client, db):
    demo.build_demo(scale=0.02)
    for username, _role, _place in demo.DEMO_ACCOUNTS:
        client.force_login(User.objects.get(username=username))
        for url in PAGES:
            response = client.get(url)
            expected = 403 if url in REFUSED[username] else 200
            if url == "/" and username.startswith("resident"):
                expected = 302  # residents land on their own home page (people:resident_home)
            assert response.status_code == expected, (username, url, response.status_code)
        if "/orders/?state=" in REFUSED[username]:
            continue
        listing = client.get("/orders/?state=").content.decode()
        numbers = set(re.findall(r"GD\d{15}", listing))
        if username in ("resident2", "resident3"):
            user = User.objects.get(username=username)
            assert all(WorkOrder.objects.get(pk=WorkOrder.pk_from_number(n)).reporter_user_id == user.pk
                       for n in numbers)  # their own reports only (none on the demo)
            continue
        assert numbers, username  # every role has work orders on the demo
        one = WorkOrder.objects.get(pk=WorkOrder.pk_from_number(sorted(numbers)[0]))
        assert client.get(f"/orders/{one.pk}/").status_code == 200
