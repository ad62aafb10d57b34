"""The stage gates' pages, one module per subject: gate requests, votes and decisions
(`requests`), the review queue (`queue`), reviews of areas scored 1 and re-reviews (`reviews`),
pause / resume / stop (`status`), gate policies (`policies`), autonomy promotions (`autonomy`).
Routed by governance/gates/urls.py."""
