"""Results people look at: history and comparison, the portfolio heatmap, vendors."""

from django.http import Http404

# Placeholders replaced by the implementation in progress.


def assessment_history(request, pk=None):  # noqa: ANN001, ANN201
    raise Http404


heatmap = vendor_list = vendor_detail = vendor_assessment_create = assessment_history
