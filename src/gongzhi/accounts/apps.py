from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from gongzhi.accounts.middleware import checked_at_sign_in
        user_logged_in.connect(checked_at_sign_in, dispatch_uid="gongzhi.accounts.checked_at_sign_in")
