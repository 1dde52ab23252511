"""gongzhi rotate_keys [--batch 2000] [--dry-run] [--pause S] | gongzhi rotate_keys --check

Re-encrypts every registered encrypted column under GONGZHI_ENCRYPTION_KEY while the platform
keeps serving (the retired keys stay readable in GONGZHI_ENCRYPTION_OLD_KEYS meanwhile); resumable
and idempotent. --check counts the tokens per key id and exits 1 while any needs a key other than
the current one. The procedure: docs/security.md, "Key rotation".
"""
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import crypto, key_rotation


class Command(BaseCommand):
    help = "用当前加密密钥重新加密所有加密字段(可中断、可重复运行);--check 统计各密钥下的密文数量"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="每批(一个事务)处理的行数,默认 2000")
        parser.add_argument("--dry-run", action="store_true", help="只统计并试解密,不写入")
        parser.add_argument("--pause", type=float, default=0.0, help="每批之间暂停的秒数,减轻数据库负载")
        parser.add_argument("--check", action="store_true",
                            help="只统计各密钥编号下的密文数量;仍有密文需要当前密钥以外的密钥时退出码为 1")

    def handle(self, *, batch, dry_run, pause, check, **options):
        if batch < 1:
            raise CommandError(f"--batch 必须是正整数:{batch}")
        if pause < 0:
            raise CommandError(f"--pause 不能为负数:{pause}")
        try:
            ring = crypto.keyring()
            cols = key_rotation.columns()
        except (ValueError, LookupError) as e:
            raise CommandError(str(e)) from None
        self._keys(ring)
        if check:
            return self._check(ring, cols)
        return self._rotate(ring, cols, batch=batch, dry_run=dry_run, pause=pause)

    def _keys(self, ring):
        old = [k for k in ring.ids() if k != ring.current_hex]
        self.stdout.write(f"当前密钥编号 {ring.current_hex};旧密钥编号 "
                          f"{'、'.join(old) if old else '无'}(GONGZHI_ENCRYPTION_OLD_KEYS)")

    def _rotate(self, ring, cols, *, batch, dry_run, pause):
        changed = conflicts = remaining = 0
        unreadable = Counter()
        for col in cols:
            def progress(r):
                verb = "可重新加密" if dry_run else "已重新加密"
                self.stdout.write(f"  {r.column.label}: {verb} {r.changed}/{r.pending}")

            r = key_rotation.rotate_column(col, batch=batch, dry_run=dry_run, pause=pause, progress=progress)
            self.stdout.write(f"{col.label}: 共 {r.total} 条密文,开始时 {r.pending} 条不是当前密钥,"
                              f"{'可重新加密' if dry_run else '本次重新加密'} {r.changed} 条"
                              + (f",{r.conflicts} 条在读取后被他人修改、未覆盖" if r.conflicts else "")
                              + (f",无法解密 {sum(r.unreadable.values())} 条({self._reasons(r.unreadable)};"
                                 f"主键 {', '.join(map(str, r.unreadable_pks))})" if r.unreadable else ""))
            changed += r.changed
            conflicts += r.conflicts
            remaining += r.remaining
            unreadable.update(r.unreadable)
        if dry_run:
            self.stdout.write(f"试运行:{changed} 条密文将用当前密钥 {ring.current_hex} 重新加密,未写入任何数据。")
        elif not changed and not remaining:
            self.stdout.write(f"所有密文均已使用当前密钥 {ring.current_hex},没有需要改动的数据。")
        else:
            self.stdout.write(f"完成:{changed} 条密文已用当前密钥 {ring.current_hex} 重新加密(明文不变)。")
        if not dry_run:
            from gongzhi.audit.models import AuditAction, Outcome
            from gongzhi.audit.services import record
            record(None, AuditAction.KEY_ROTATE, object_type="加密字段", label=f"当前密钥编号 {ring.current_hex}",
                   outcome=Outcome.FAILED if unreadable else Outcome.OK,
                   after={"重新加密": changed, "未覆盖的并发修改": conflicts, "无法解密": sum(unreadable.values()),
                          "仍非当前密钥": remaining},
                   detail=self._reasons(unreadable)[:300])
        if unreadable:
            raise CommandError(f"{sum(unreadable.values())} 条密文无法解密({self._reasons(unreadable)}):"
                               "把加密它们的密钥加入 GONGZHI_ENCRYPTION_OLD_KEYS 后再运行", returncode=1)
        if not dry_run and remaining:
            self.stdout.write(f"仍有 {remaining} 条密文不是当前密钥(运行期间被修改,或有节点尚未使用新密钥):"
                              "确认所有节点已重启后再运行一次。")

    def _check(self, ring, cols):
        total = Counter()
        for col in cols:
            counts = key_rotation.census(col)
            total.update(counts)
            parts = "、".join(f"{self._name(ring, k)} {n} 条" for k, n in sorted(counts.items())) or "无密文"
            self.stdout.write(f"{col.label}: {parts}")
        need = {k: n for k, n in total.items() if k != ring.current_hex}
        current = total.get(ring.current_hex, 0)
        if need:
            detail = "、".join(f"{self._name(ring, k)} {n} 条" for k, n in sorted(need.items()))
            raise CommandError(f"仍有 {sum(need.values())} 条密文不是当前密钥 {ring.current_hex} 的新格式({detail}):"
                               "运行 gongzhi rotate_keys 后再检查;在此之前不要移除旧密钥", returncode=1)
        old = [k for k in ring.ids() if k != ring.current_hex]
        self.stdout.write(f"全部 {current} 条密文均使用当前密钥 {ring.current_hex}。"
                          + ("GONGZHI_ENCRYPTION_OLD_KEYS 中的旧密钥已不再需要,可以移除"
                             "(仍保留的旧备份需要旧密钥才能读取:随这些备份离线保存)。" if old else ""))

    @staticmethod
    def _name(ring, key):
        if key == ring.current_hex:
            return f"{key}(当前密钥)"
        bare = key.removesuffix(" (v1)")
        if bare in ring.ids():
            where = "当前密钥" if bare == ring.current_hex else "旧密钥"
            return f"{bare}({where},旧格式)" if key.endswith(" (v1)") else f"{key}({where})"
        if len(key) == 2 * crypto.KEY_ID_BYTES and all(c in "0123456789abcdef" for c in key):
            return f"{key}(未配置的密钥)"
        return key

    @staticmethod
    def _reasons(counter):
        return "、".join(f"{k} {n} 条" for k, n in counter.most_common())
