"""Console forms for scales: one lifecycle-transition form, shaped by the transition itself.

A form only converts and checks the *types* of what people typed; the rules (who may, from which
state, what values make sense) are ``services.scale_transition``'s alone, so a form must never
decide whether a transition is allowed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chengxin.core.permissions import visible
from chengxin.markets.models import Market, Stall, Vendor
from chengxin.organizations.choices import OrganisationKind
from chengxin.organizations.models import Organisation

from .lifecycle import Transition
from .models import Scale

_TEXT_FIELDS = {
    "verification_code": _("检定码"),
    "repair_code": _("维修码"),
    "software_version": _("软件版本"),
    "software_checksum": _("软件校验和"),
}


class TransitionForm(forms.Form):
    """The fields ``transition`` carries (``required`` and ``optional``), plus document and note."""

    def __init__(self, *args: Any, transition: Transition, scale: Scale, user: Any, **kw: Any):
        kw.setdefault("prefix", transition.name)
        super().__init__(*args, **kw)
        self.transition = transition
        for name in transition.fields:
            field = self._field(name, scale, user)
            field.required = name in transition.required
            self.fields[name] = field
        if transition.needs_document:
            self.fields["document"] = forms.CharField(
                label=str(transition.document_label or _("文书编号")), max_length=64
            )
        self.fields["note"] = forms.CharField(
            label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def _field(self, name: str, scale: Scale, user: Any) -> forms.Field:
        markets = visible(Market, user)
        if scale.operator_id is not None:
            markets = markets.filter(operator_id=scale.operator_id)
        if name == "operator":
            return forms.ModelChoiceField(
                label=_("购买方（市场开办者）"),
                queryset=visible(Organisation, user).filter(
                    kind=OrganisationKind.MARKET_OPERATOR, is_active=True
                ),
            )
        if name == "market":
            return forms.ModelChoiceField(label=_("市场"), queryset=markets)
        if name == "stall":
            return forms.ModelChoiceField(
                label=_("摊位"),
                queryset=visible(Stall, user).filter(market__in=markets).select_related("market"),
            )
        if name == "vendor":
            return forms.ModelChoiceField(
                label=_("经营者"), queryset=visible(Vendor, user).filter(market__in=markets)
            )
        if name == "valid_until":
            return forms.DateField(
                label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"})
            )
        if name == "seal_ids":
            return forms.CharField(
                label=_("封印编号"),
                help_text=_("多个编号用分号分隔"),
                initial="; ".join(scale.seal_ids or []),
            )
        if name in ("calibration_counter", "configuration_counter"):
            label = _("校准计数器") if name == "calibration_counter" else _("配置计数器")
            return forms.IntegerField(label=label, min_value=0)
        if name in _TEXT_FIELDS:
            return forms.CharField(label=_TEXT_FIELDS[name], max_length=64)
        raise ValueError(f"no form field for transition value {name!r}")

    def service_values(self) -> dict[str, Any]:
        """The cleaned values to hand to ``scale_transition`` (blank optional values dropped)."""
        values: dict[str, Any] = {}
        for name in self.transition.fields:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            values[name] = value.pk if hasattr(value, "pk") else value
        return values
