from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    """The benchmark is measurement code, not part of the system: it lives beside the tests and
    is an app only so that ``manage.py benchmark`` exists. The development and test settings
    install it; production does not (config/settings.py)."""

    name = "tests.benchmark"
    label = "benchmark"
    verbose_name = "Prestandamätning"
