"""Sign-ins, accounts and posts are recorded from Django's signals, so the accounts app's views
and services need not know about the trail. The actor of an account or post change is the user
of the request being served (simple_history's middleware keeps it), or the command line."""
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.audit import throttle
from gongzhi.audit.models import AuditAction, Outcome
from gongzhi.audit.services import client_ip, current_request, record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(request if request is not None else user, AuditAction.LOGIN, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    record(request, AuditAction.LOGIN_FAILED, username=username, outcome=Outcome.FAILED,
           object_type="账号", object_id=username[:64], label=username)
    throttle.after_failure(request, ip=client_ip(request), username=username)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, AuditAction.LOGOUT, obj=user, ip=client_ip(request))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record(request, AuditAction.ACCOUNT_LOCKED, username=str(username or "")[:150], outcome=Outcome.REFUSED,
           object_type="账号", object_id=str(username or "")[:64], label=str(username or ""), ip=ip_address)


# -- accounts ------------------------------------------------------------------------------

def _user_fields(user) -> dict:
    return {"用户名": user.username, "姓名": user.display_name, "启用": user.is_active}


@receiver(pre_save, sender=User, dispatch_uid="audit_user_pre")
def _user_before(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_was_active = instance._audit_old_password = None
    if raw or instance.pk is None or (update_fields is not None and not {"is_active", "password"} & set(update_fields)):
        return  # e.g. the last_login of every sign-in
    old = User.objects.filter(pk=instance.pk).values_list("is_active", "password").first()
    if old is not None:
        instance._audit_was_active, instance._audit_old_password = old


@receiver(post_save, sender=User, dispatch_uid="audit_user_post")
def _user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(None, AuditAction.ACCOUNT_CREATE, obj=instance, after=_user_fields(instance))
        return
    was = getattr(instance, "_audit_was_active", None)
    if was is not None and was != instance.is_active:
        action = AuditAction.ACCOUNT_ACTIVATE if instance.is_active else AuditAction.ACCOUNT_DEACTIVATE
        record(None, action, obj=instance, before={"启用": was}, after={"启用": instance.is_active})
    old_password = getattr(instance, "_audit_old_password", None)
    if old_password is not None and old_password != instance.password:
        # the owner, or an administrator giving a new initial password (never the password or its hash)
        request = current_request()
        by = getattr(request, "user", None) if request is not None else None
        own = by is None or not by.is_authenticated or by.pk == instance.pk
        record(None, AuditAction.PASSWORD_CHANGE if own else AuditAction.PASSWORD_RESET, obj=instance)


# -- two-factor sign-in (django-otp's devices) -------------------------------------------------

def _connect_two_factor():
    from django.apps import apps
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    @receiver(pre_save, sender=TOTPDevice, dispatch_uid="audit_totp_pre", weak=False)
    def _totp_before(sender, instance, raw=False, **kwargs):
        instance._audit_was_confirmed = bool(instance.pk) and TOTPDevice.objects.filter(
            pk=instance.pk, confirmed=True).exists()

    @receiver(post_save, sender=TOTPDevice, dispatch_uid="audit_totp_post", weak=False)
    def _totp_saved(sender, instance, raw=False, **kwargs):
        if not raw and instance.confirmed and not getattr(instance, "_audit_was_confirmed", False):
            record(None, AuditAction.TWO_FACTOR_ON, obj=instance.user, object_type="账号")

    @receiver(post_delete, sender=TOTPDevice, dispatch_uid="audit_totp_delete", weak=False)
    def _totp_deleted(sender, instance, **kwargs):
        if instance.confirmed:
            user = User.objects.filter(pk=instance.user_id).first()
            record(None, AuditAction.TWO_FACTOR_OFF, obj=user, object_type="账号",
                   label=str(user) if user is not None else f"账号 #{instance.user_id}")


_connect_two_factor()


# -- posts (a role at a place) ---------------------------------------------------------------

def _post_fields(a: RoleAssignment) -> dict:
    from gongzhi.accounts.models import Role
    return {"角色": str(Role(a.role).label) if a.role in Role.values else a.role,
            "地点": f"{a.place.name}({a.place.code})" if a.place_id else "", "部门": a.department,
            "有效": a.active}


def _post_label(a: RoleAssignment) -> str:
    return f"{a.user.username} 的岗位"


@receiver(pre_save, sender=RoleAssignment, dispatch_uid="audit_post_pre")
def _post_before(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    old = RoleAssignment.objects.select_related("place").filter(pk=instance.pk).first()
    instance._audit_before = _post_fields(old) if old is not None else None


@receiver(post_save, sender=RoleAssignment, dispatch_uid="audit_post_post")
def _post_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = _post_fields(instance)
    if created:
        record(None, AuditAction.POST_GIVE, obj=instance, after=after, label=_post_label(instance))
        return
    before = getattr(instance, "_audit_before", None)
    if before is None or before == after:
        return
    action = AuditAction.POST_END if before.get("有效") and not after["有效"] else AuditAction.POST_CHANGE
    record(None, action, obj=instance, before=before, after=after, label=_post_label(instance))


@receiver(post_delete, sender=RoleAssignment, dispatch_uid="audit_post_delete")
def _post_deleted(sender, instance, **kwargs):
    try:
        fields = _post_fields(instance)
        label = _post_label(instance)
    except Exception:  # the user or place went first (a cascade)
        fields, label = {"角色": instance.role}, f"账号 #{instance.user_id} 的岗位"
    record(None, AuditAction.POST_END, obj=instance, before=fields, label=label)
