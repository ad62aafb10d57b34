from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = "Readiness assessments"

    def ready(self) -> None:
        # The portfolio cannot import readiness (layers point one way), so readiness adds its
        # section to the initiative page through the portfolio's panel registry.
        from portfolio.panels import register_initiative_panel
        from readiness.panels import readiness_panel

        register_initiative_panel(readiness_panel, order=20)
