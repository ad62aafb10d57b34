"""Filling an assessment in the browser: create a draft, autosave, live result, submit."""

from django.http import Http404

# Placeholders replaced by the implementation in progress.


def assessment_create(request, pk):  # noqa: ANN001, ANN201
    raise Http404


assessment_detail = assessment_autosave = assessment_submit = assessment_create
