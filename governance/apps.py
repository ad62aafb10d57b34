from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance council and stage gates"

    def ready(self) -> None:
        # The portfolio cannot import governance (layers point one way): governance listens to
        # its signal and adds its sections to the initiative page through portfolio.panels.
        # dispatch_uid keeps a double import from connecting twice.
        from governance.audit.panels import audit_trail_panel
        from governance.gates.assessment_panel import item_review_section
        from governance.gates.panels import gate_panel
        from governance.gates.receivers import rereview_on_material_change
        from governance.gates.stage_guard import hard_criteria_against_direct_move
        from governance.register.panels import register_panel
        from portfolio.panels import register_initiative_panel
        from portfolio.signals import initiative_changed
        from portfolio.stage_guards import register_stage_move_guard
        from readiness.extensions import register_assessment_section

        initiative_changed.connect(
            rereview_on_material_change, dispatch_uid="governance.rereview_on_material_change"
        )
        # Gates right after the problem statement and before readiness (20); the register after
        # them; the audit trail last, where one goes after reading everything else.
        register_initiative_panel(gate_panel, order=10)
        register_initiative_panel(register_panel, order=200)
        register_initiative_panel(audit_trail_panel, order=900)
        # Readiness cannot import governance either: the council's review of areas scored 1
        # is added to the assessment page through readiness.extensions.
        register_assessment_section(item_review_section)
        # A governance admin's direct stage change is held to the hard criteria too.
        register_stage_move_guard(hard_criteria_against_direct_move)
