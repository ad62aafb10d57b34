from importlib import import_module

from django.apps import AppConfig

# Modules that add a section to the initiative page by registering with portfolio.panels when
# imported. Each belongs to one part of governance; listed here so the page shows them all.
PANEL_MODULES = ("panels_gates", "panels_register", "panels_audit")


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance council and stage gates"

    def ready(self) -> None:
        # The portfolio cannot import governance (layers point one way); governance listens to
        # its signal instead. dispatch_uid keeps a double import from connecting twice.
        from governance.receivers import rereview_on_material_change
        from portfolio.signals import initiative_changed

        initiative_changed.connect(
            rereview_on_material_change, dispatch_uid="governance.rereview_on_material_change"
        )
        for name in PANEL_MODULES:
            try:
                import_module(f"{self.name}.{name}")
            except ModuleNotFoundError as error:
                # A panel module still being written is skipped; any other import error shows.
                if error.name != f"{self.name}.{name}":
                    raise
