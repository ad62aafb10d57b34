"""The pages of governance, from each part's urls.py (names "governance:<name>")."""

from governance.audit import urls as audit_urls
from governance.council import urls as council_urls
from governance.gates import urls as gates_urls
from governance.register import urls as register_urls

app_name = "governance"

urlpatterns = [
    *gates_urls.urlpatterns,
    *register_urls.urlpatterns,
    *council_urls.urlpatterns,
    *audit_urls.urlpatterns,
]
