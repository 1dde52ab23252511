"""The accounts' part of the demo district (DemoPart 30): one account per
demo role (`core.demo.ACCOUNTS`), each with its post, all with the demo
password; the grid worker's account is its grid-staff row, the resident's is
the resident the people part chose (`ctx.account_staff`, `ctx.account_residents`)."""
from __future__ import annotations

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core.demo import ACCOUNTS, DemoContext, DemoSummary, demo_password
from gongzhi.places.models import Place

SUMMARY = {"accounts": "账号 accounts"}


def build(ctx: DemoContext) -> None:
    password = demo_password()
    for account in ACCOUNTS:
        person = ctx.account_residents.get(account.username)
        user = User.objects.create_user(username=account.username, password=password,
                                        display_name=account.name or (person.name if person else ""),
                                        resident=person)
        RoleAssignment.objects.create(user=user, role=account.role, place=ctx.places[account.place],
                                      department=account.department)
        staff = ctx.account_staff.get(account.username)
        if staff is not None:
            staff.user = user
            staff.save(update_fields=["user"])
        ctx.accounts[account.username] = user
    ctx.summary.add(SUMMARY, accounts=len(ctx.accounts))
    ctx.say(f"账号: {len(ctx.accounts)}")


def count_existing(summary: DemoSummary, district: Place) -> None:
    summary.add(SUMMARY, accounts=User.objects.filter(username__in=[a.username for a in ACCOUNTS]).count())


def two_factor_accounts() -> list[str]:
    """The demo accounts that must set up two-factor sign-in at their first sign-in (GONGZHI_2FA_REQUIRED)."""
    from gongzhi.accounts import two_factor
    mode = two_factor.mode()
    if mode == two_factor.OFF:
        return []
    roles = two_factor.mandatory_roles()
    return [a.username for a in ACCOUNTS if a.role != "resident" and (mode == two_factor.STAFF or a.role in roles)]


def two_factor_hint() -> str:
    """The demo's one line on two-factor sign-in: which demo accounts set it up at first sign-in, and how."""
    names = two_factor_accounts()
    if not names:
        return "两步验证 / 2FA: 未强制 (GONGZHI_2FA_REQUIRED=off)"
    return (f"两步验证 / 2FA: {'、'.join(names)} 首次登录时用手机身份验证器扫描页面上的二维码(或输入密钥)"
            f"并保存 10 个恢复码 / enrol at first sign-in with any authenticator app")
