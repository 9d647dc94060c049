from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Arbetsflöden"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import roles  # noqa: F401  (connects the cache-invalidation signals)
        from .backends import install_superuser_rule

        install_superuser_rule()
