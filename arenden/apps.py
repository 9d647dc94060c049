from django.apps import AppConfig


class ArendenConfig(AppConfig):
    name = "arenden"
    verbose_name = "Ärenden"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from arenden.gemensamt import utskick
        from arenden.konto import behorigheter
        from arenden.sammantraden import protokoll

        # an e-mail that left is recorded with whom it reached (the kallelse's mottagare)
        utskick.skickat.connect(
            protokoll.vid_skickat, sender=utskick.Utskick, dispatch_uid="kallelse-skickad"
        )
        # an account has a signed history, which keeps no login times: Django's receiver
        # saves the account at every login, this one writes the time alone
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(behorigheter.inloggad, dispatch_uid="konto-inloggad")
