from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpom.accounts"
    verbose_name = "Comptes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .two_factor import remember_device

        user_logged_in.connect(
            lambda sender, request, user, **kwargs: remember_device(request, user) if request else None,
            weak=False,
            dispatch_uid="cpom_remember_second_factor",
        )
