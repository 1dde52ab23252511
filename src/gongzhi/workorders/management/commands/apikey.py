"""gongzhi apikey create --name NAME | list | revoke --prefix P

Keys for third-party Open311 clients. `create` prints the key once, on its
last line, so a script can take it with `tail -n 1`; it cannot be shown again.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.workorders.apikeys import ApiKeyError, apikey_create, apikey_list, apikey_revoke

ERR_USER = "找不到用户 {username}"
CREATED = "已创建 Open311 API 密钥「{name}」(前缀 {prefix})。密钥只显示这一次,请交给客户端并妥善保存:"
REVOKED = "已停用密钥「{name}」(前缀 {prefix})"
NO_KEYS = "还没有 API 密钥"


class Command(BaseCommand):
    help = "管理 Open311 API 密钥 (create / list / revoke)"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="签发新密钥(最后一行输出密钥)")
        create.add_argument("--name", required=True, help="客户端名称")
        create.add_argument("--by", metavar="USERNAME", help="记录为签发人的用户")
        actions.add_parser("list", help="列出密钥(只显示前缀)")
        revoke = actions.add_parser("revoke", help="停用密钥")
        revoke.add_argument("--prefix", required=True, help="密钥前缀(list 中显示的)")

    def handle(self, *, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ApiKeyError as e:
            raise CommandError(str(e)) from None

    def _create(self, *, name, by=None, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(ERR_USER.format(username=by))
        key, raw = apikey_create(name=name, by=user)
        self.stdout.write(CREATED.format(name=key.name, prefix=key.prefix))
        self.stdout.write(raw)

    def _list(self, **options):
        keys = list(apikey_list())
        if not keys:
            self.stdout.write(NO_KEYS)
        for key in keys:
            used = timezone.localtime(key.last_used_at).strftime("%Y-%m-%d %H:%M") if key.last_used_at else "未使用"
            state = "有效" if key.active else "已停用"
            created = timezone.localtime(key.created_at).strftime("%Y-%m-%d")
            self.stdout.write(f"{key.prefix}\t{state}\t{key.name}\t创建 {created}\t最近使用 {used}")

    def _revoke(self, *, prefix, **options):
        key = apikey_revoke(prefix=prefix)
        self.stdout.write(REVOKED.format(name=key.name, prefix=key.prefix))
