"""Value tracking of an initiative: its one KPI, measurements, adoption and cost per unit.

rules (pure), services (every change), forms, views (the value page) and api (/api/v1/kpis/).
"""
