from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Processer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (  # noqa: F401 - processer declares the Flow; checks registers its check
            arende,
            begaran,
            checks,
            processer,
            sammantrade,
            synk,
        )

        arende.install()
        begaran.install()
        sammantrade.install()
        synk.anslut()
