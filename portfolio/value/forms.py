from __future__ import annotations

from django import forms

from portfolio.forms import DateInput, GatehouseFormMixin
from portfolio.models import Kpi, KpiMeasurement
from portfolio.value.services import KPI_FIELDS

CSV_MAX_BYTES = 512 * 1024


class KpiForm(GatehouseFormMixin, forms.ModelForm):
    # The version the user loaded (0 when defining the KPI); an older one is refused as a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Kpi
        fields = list(KPI_FIELDS)
        # A date input needs the ISO form whatever the locale's display format.
        widgets = {"target_date": DateInput(format="%Y-%m-%d")}
        labels = {"name": "KPI", "error_budget": "Error budget"}
        help_texts = {
            "name": "The single KPI that must move, e.g. “Median first-response time”.",
            "error_budget": (
                "How far behind the straight-line path to target a measurement may be and still "
                "count as on track, in the KPI's unit."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in KPI_FIELDS}


class MeasurementForm(GatehouseFormMixin, forms.ModelForm):
    class Meta:
        model = KpiMeasurement
        fields = ["measured_on", "value", "note"]
        widgets = {"measured_on": DateInput(format="%Y-%m-%d")}
        labels = {"measured_on": "Measured on"}


class MeasurementUploadForm(GatehouseFormMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns measured_on (YYYY-MM-DD), value and optionally note, with a header line."
        ),
    )
    replace = forms.BooleanField(
        label="Replace measurements already recorded for the same dates", required=False
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 512 KB; split it.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text; save it as CSV UTF-8."
            ) from None


class AdoptionForm(GatehouseFormMixin, forms.Form):
    active_users = forms.IntegerField(min_value=0, required=False, label="Active users")
    target_users = forms.IntegerField(
        min_value=1, required=False, label="Target users", help_text="Everyone it is meant for."
    )
