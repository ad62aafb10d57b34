"""The API of governance under /api/v1/, from each part's urls.py (included by config/urls.py)."""

from governance.audit import urls as audit_urls
from governance.council import urls as council_urls
from governance.gates import urls as gates_urls
from governance.register import urls as register_urls

urlpatterns = [
    *gates_urls.api_urlpatterns,
    *register_urls.api_urlpatterns,
    *council_urls.api_urlpatterns,
    *audit_urls.api_urlpatterns,
]
