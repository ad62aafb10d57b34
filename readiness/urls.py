from django.urls import path

from readiness.views import assessments, results

app_name = "readiness"

urlpatterns = [
    # Filling an assessment (readiness/views/assessments.py)
    path(
        "initiatives/<int:pk>/assessments/new/",
        assessments.assessment_create,
        name="assessment_create",
    ),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/save/", assessments.assessment_autosave, name="assessment_autosave"),
    path("assessments/<int:pk>/submit/", assessments.assessment_submit, name="assessment_submit"),
    # Results (readiness/views/results.py)
    path(
        "initiatives/<int:pk>/assessments/",
        results.assessment_history,
        name="assessment_history",
    ),
    path("readiness/heatmap/", results.heatmap, name="heatmap"),
    path("vendors/", results.vendor_list, name="vendor_list"),
    path("vendors/<int:pk>/", results.vendor_detail, name="vendor_detail"),
    path(
        "vendors/<int:pk>/assessments/new/",
        results.vendor_assessment_create,
        name="vendor_assessment_create",
    ),
]
