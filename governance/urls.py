from governance import urls_audit, urls_council, urls_gates, urls_register

app_name = "governance"

urlpatterns = [
    *urls_gates.urlpatterns,
    *urls_register.urlpatterns,
    *urls_council.urlpatterns,
    *urls_audit.urlpatterns,
]
