from django.apps import AppConfig


class ArendenConfig(AppConfig):
    name = "arenden"
    verbose_name = "Ärenden"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from arenden.gemensamt import utskick
        from arenden.sammantraden import protokoll

        # an e-mail that left is recorded with whom it reached (the kallelse's mottagare)
        utskick.skickat.connect(
            protokoll.vid_skickat, sender=utskick.Utskick, dispatch_uid="kallelse-skickad"
        )
