"""Resident accounts (people.resident_accounts): nobody outside community B opens an account for B's
resident 王五芳 at the desk. The public sign-up steps and the resident's own home are in OTHER
(tests/people/test_resident_accounts.py: the sign-up matches the registry only and says nothing of it;
the resident home shows only the caller's own household, reports and community)."""

ENDPOINTS = {
    "people:resident_account": ("POST", lambda w: f"/people/residents/{w.res_b_unopened.pk}/account/"),
}
OTHER = {"people:signup", "people:signup_code", "people:signup_password", "people:resident_home"}
BODY = {"password1": "Qing-he-2026!", "password2": "Qing-he-2026!"}


def build(w):
    from tests.factories import resident
    w.res_b_unopened = resident(w.hh_b1, "王五芳", relation="10", phone="13900004444")


def snapshot():
    from gongzhi.accounts.models import RoleAssignment
    return list(RoleAssignment.objects.order_by("pk").values_list("pk", "user_id", "place_id", "active"))
