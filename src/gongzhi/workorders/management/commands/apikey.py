"""gongzhi apikey create --name NAME [--place CODE] | list | revoke --prefix P

Keys for third-party Open311 clients. `create` prints the key once, on its
last line, so a script can take it with `tail -n 1`; it cannot be shown again.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.workorders.apikeys import ApiKeyError, apikey_create, apikey_list, apikey_revoke

ERR_USER = "找不到用户 {username}"
ERR_PLACE = "找不到区划代码为 {code} 的地方(--place 须为街道、社区或网格的代码)"
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
        create.add_argument("--place", metavar="CODE", help="密钥的可见范围(区划代码):客户端可读该范围内公开工单的"
                                                             "描述、完整地址和精确位置;不给则只读公开信息")
        actions.add_parser("list", help="列出密钥(只显示前缀)")
        revoke = actions.add_parser("revoke", help="停用密钥")
        revoke.add_argument("--prefix", required=True, help="密钥前缀(list 中显示的)")

    def handle(self, *, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ApiKeyError as e:
            raise CommandError(str(e)) from None

    def _create(self, *, name, by=None, place=None, **options):
        user = area = None
        if place:
            from gongzhi.places.models import Place
            area = Place.objects.filter(code=place.strip()).first()
            if area is None:
                raise CommandError(ERR_PLACE.format(code=place))
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(ERR_USER.format(username=by))
        key, raw = apikey_create(name=name, place=area, by=user)
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
            area = f"范围 {key.place.name}" if key.place_id else "仅公开信息"
            self.stdout.write(f"{key.prefix}\t{state}\t{key.name}\t{area}\t创建 {created}\t最近使用 {used}")

    def _revoke(self, *, prefix, **options):
        key = apikey_revoke(prefix=prefix)
        self.stdout.write(REVOKED.format(name=key.name, prefix=key.prefix))
