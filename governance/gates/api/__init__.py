"""The stage gates' API, one module per resource: gate requests, votes and decisions
(`requests`), pause / resume / stop and pilot purgatory (`status`), gate policies (`policies`),
autonomy promotions (`autonomy`), reviews of areas scored 1 and re-reviews (`reviews`), and the
pipelines' gate-status (`gate_status`). Routed by governance/gates/urls.py."""
