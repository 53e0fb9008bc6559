"""Console pages for scales and type approvals: home, lists, the scale's passport, transitions.

Views only read through ``chengxin.core.permissions`` and write through ``services``; they never
decide who may do what (the lifecycle table and the services do).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chengxin.core.errors import ServiceError
from chengxin.core.permissions import scope_for, visible
from chengxin.core.templatetags.chengxin import format_mass
from chengxin.core.views import (
    Column,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    bounded_count,
    choice_label,
)
from chengxin.markets.models import Market, Stall, Vendor
from chengxin.organizations.models import Organisation

from . import codes, services
from .choices import ScaleState
from .filtersets import ScaleFilterSet, TypeApprovalFilterSet
from .forms import TransitionForm
from .lifecycle import TRANSITIONS, Transition, refusal, transitions_from
from .models import Scale, TypeApproval

DUE_SOON_DAYS = 30


def vendor_name_subquery(user: Any, vendor_ref: str = "vendor_id") -> Subquery:
    """The vendor's name only where ``user`` may see that vendor (NULL otherwise).

    One correlated subquery on the permission-checked vendor set: no query per row, and the
    name of a vendor outside the user's sight never leaves the database.
    """
    return Subquery(visible(Vendor, user).filter(pk=OuterRef(vendor_ref)).values("name")[:1])


def may_see_vendors(user: Any) -> bool:
    return visible(Vendor, user).exists()


# --- home -------------------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, View):
    """Scales in the user's jurisdiction by state, and those due or overdue for verification."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        soon = today + dt.timedelta(days=DUE_SOON_DAYS)
        scales = visible(Scale, request.user)
        # One GROUP BY for the states, one conditional aggregate for the due dates.
        by_state = dict(
            scales.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
        )
        due = scales.order_by().aggregate(
            due_soon=Count(
                "pk",
                filter=Q(
                    state=ScaleState.IN_SERVICE, valid_until__gte=today, valid_until__lte=soon
                ),
            ),
            overdue=Count(
                "pk",
                filter=Q(
                    state__in=[ScaleState.IN_SERVICE, ScaleState.OVERDUE], valid_until__lt=today
                ),
            ),
        )
        list_url = reverse("instruments:scale_list")
        states = [
            {
                "value": value,
                "label": label,
                "count": by_state.get(value, 0),
                "url": f"{list_url}?{urlencode({'state': value})}",
            }
            for value, label in ScaleState.choices
        ]
        context = {
            "title": _("首页"),
            "states": states,
            "total": sum(by_state.values()),
            "due_soon": due["due_soon"],
            "overdue": due["overdue"],
            "due_soon_days": DUE_SOON_DAYS,
            "due_soon_url": f"{list_url}?"
            + urlencode(
                {
                    "state": ScaleState.IN_SERVICE,
                    "valid_until_after": today.isoformat(),
                    "valid_until_before": soon.isoformat(),
                    "sort": "valid_until",
                }
            ),
            "overdue_url": f"{list_url}?"
            + urlencode(
                [
                    ("state", ScaleState.IN_SERVICE),
                    ("state", ScaleState.OVERDUE),
                    ("valid_until_before", (today - dt.timedelta(days=1)).isoformat()),
                    ("sort", "valid_until"),
                ]
            ),
        }
        return render(request, "instruments/home.html", context)


# --- scales -----------------------------------------------------------------------------------

_SCALE_COLUMNS = (
    Column(
        "code", gettext_lazy("一秤一码"), "display_code", order_by="code", link=True, css="code"
    ),
    Column("serial", gettext_lazy("出厂编号"), order_by="serial"),
    Column("model", gettext_lazy("型号"), "type_approval.model_name"),
    Column("manufacturer", gettext_lazy("生产企业"), "manufacturer.name"),
    Column("division", gettext_lazy("所在区划"), "division.name", order_by="division_id"),
    Column("market", gettext_lazy("市场"), "market.name"),
    Column("stall", gettext_lazy("摊位"), "stall.number"),
    Column("state", gettext_lazy("状态"), choice_label("state"), order_by="state"),
    Column("valid_until", gettext_lazy("有效期至"), order_by="valid_until"),
)
_VENDOR_COLUMN = Column("vendor", gettext_lazy("经营者"), "vendor_name_visible")


class ScaleListView(ObjectListView):
    model = Scale
    filterset_class = ScaleFilterSet
    title = gettext_lazy("电子计价秤")
    columns = _SCALE_COLUMNS
    select_related = ("type_approval", "manufacturer", "division", "market", "stall")
    csv_filename = "scales"

    def get_columns(self, request: HttpRequest) -> tuple[Column, ...]:
        if may_see_vendors(request.user):
            return (*_SCALE_COLUMNS[:7], _VENDOR_COLUMN, *_SCALE_COLUMNS[7:])
        return _SCALE_COLUMNS

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        # The vendor is never joined in: its name comes only through the permission check.
        return qs.annotate(vendor_name_visible=vendor_name_subquery(request.user))


class ScaleDetailView(ObjectDetailView):
    """The scale's passport (一秤一档): identity, place, state, whole life, and what to do next."""

    model = Scale
    template_name = "instruments/scale_detail.html"
    lookup_field = "code"
    select_related = (
        "type_approval",
        "manufacturer",
        "division",
        "operator",
        "market",
        "stall",
    )

    failed_form: TransitionForm | None = None  # set by a POST that did not go through

    def lookup_value(self, value: Any) -> Any:
        return codes.normalise(str(value))

    def post(self, request: HttpRequest, key: str, transition: str) -> HttpResponse:
        """Perform one lifecycle transition from the passport (the forms post here).

        PermissionDenied from the service becomes a 403 and Http404 a 404 (Django's handlers);
        a broken rule (ServiceError) is shown on the form, and nothing was written.
        """
        scale = self.get_object(request, key)
        spec = TRANSITIONS.get(transition)
        if spec is None:
            raise Http404("no such transition")
        form = TransitionForm(request.POST, transition=spec, scale=scale, user=request.user)
        if form.is_valid():
            try:
                services.scale_transition(
                    user=request.user,
                    scale=scale,
                    transition=spec.name,
                    document=form.cleaned_data.get("document", ""),
                    note=form.cleaned_data.get("note", ""),
                    values=form.service_values(),
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已完成：%s") % spec.label)
                return redirect(scale.get_absolute_url())
        self.failed_form = form
        return self.render_object(request, scale)

    def transition_forms(
        self, request: HttpRequest, scale: Scale, failed: TransitionForm | None
    ) -> tuple[list[TransitionForm], list[str]]:
        """A form for each transition this user may perform now; errors of a refused one."""
        scope = scope_for(request.user)
        forms: list[TransitionForm] = []
        offered: set[str] = set()
        for spec in transitions_from(scale.state):
            if spec.via_verification or self._refused(spec, scale, scope, request.user):
                continue
            offered.add(spec.name)
            if failed is not None and failed.transition.name == spec.name:
                forms.append(failed)
            else:
                forms.append(TransitionForm(transition=spec, scale=scale, user=request.user))
        errors: list[str] = []
        if failed is not None and failed.transition.name not in offered:
            errors = [str(e) for e in failed.non_field_errors()] or [
                str(e) for errs in failed.errors.values() for e in errs
            ]
        return forms, errors

    @staticmethod
    def _refused(spec: Transition, scale: Scale, scope: Any, user: Any) -> bool:
        return (
            refusal(
                spec,
                state=scale.state,
                actor_kind=scope.organisation_kind or "",
                roles=scope.roles,
                superuser=bool(getattr(user, "is_superuser", False)),
            )
            is not None
        )

    def get_context(self, request: HttpRequest, scale: Scale) -> dict[str, Any]:
        user = request.user
        vendor = None
        if scale.vendor_id is not None:
            vendor = visible(Vendor, user).filter(pk=scale.vendor_id).first()
        can_see_vendor = vendor is not None or (scale.vendor_id is None and may_see_vendors(user))
        market_visible = (
            scale.market_id is not None
            and visible(Market, user).filter(pk=scale.market_id).exists()
        )
        events = list(scale.events.select_related("user", "organisation").order_by("at", "id"))
        approved = {(s.version, s.checksum) for s in scale.type_approval.software.all()}
        forms, transition_errors = self.transition_forms(request, scale, self.failed_form)
        return {
            "vendor": vendor,
            "market_visible": market_visible,
            "events": _timeline(events, user, can_see_vendor),
            "software_approved": (scale.software_version, scale.software_checksum) in approved,
            "transition_forms": forms,
            "transition_errors": transition_errors,
            "today": timezone.localdate(),
        }


_NAMED_IDS = {
    "operator": (Organisation, "name"),
    "market": (Market, "name"),
    "stall": (Stall, "number"),
    "vendor": (Vendor, "name"),
}


def _timeline(events: list[Any], user: Any, can_see_vendor: bool) -> list[dict[str, Any]]:
    """Each lifecycle event with its values as label/value pairs, ids shown as names.

    Names come from the records the user may see (one query per kind of id, not per event);
    a vendor is left out altogether for users who may not see vendors.
    """
    wanted: dict[str, set[Any]] = {name: set() for name in _NAMED_IDS}
    for event in events:
        for name, value in (event.details or {}).items():
            if name in wanted and value not in (None, ""):
                wanted[name].add(value)
    names: dict[str, dict[Any, str]] = {}
    for name, ids in wanted.items():
        model, field = _NAMED_IDS[name]
        names[name] = (
            dict(visible(model, user).filter(pk__in=ids).values_list("pk", field)) if ids else {}
        )
    timeline = []
    for event in events:
        rows = []
        for name, value in (event.details or {}).items():
            if name == "vendor" and not can_see_vendor:
                continue
            try:
                label = str(getattr(Scale._meta.get_field(name), "verbose_name", name))
            except FieldDoesNotExist:
                label = name
            if value in (None, ""):
                text = "—"
            elif name in names:
                text = names[name].get(value, f"#{value}")
            elif isinstance(value, list):
                text = "; ".join(str(v) for v in value)
            else:
                text = str(value)
            rows.append({"label": label, "value": text})
        timeline.append({"event": event, "details": rows})
    return timeline


class ScaleTransitionView(ScaleDetailView):
    """The address the passport's transition forms post to (POST only)."""

    http_method_names = ["post"]


class ScaleHistoryView(ObjectHistoryView):
    model = Scale
    lookup_field = "code"

    def lookup_value(self, value: Any) -> Any:
        return codes.normalise(str(value))


# --- type approvals ---------------------------------------------------------------------------


class TypeApprovalListView(ObjectListView):
    model = TypeApproval
    filterset_class = TypeApprovalFilterSet
    title = gettext_lazy("型式批准")
    columns = (
        Column(
            "certificate_no",
            gettext_lazy("型式批准证书编号"),
            order_by="certificate_no",
            link=True,
        ),
        Column("model_name", gettext_lazy("型号"), order_by="model_name"),
        Column("manufacturer", gettext_lazy("生产企业"), "manufacturer.name"),
        Column("accuracy_class", gettext_lazy("准确度等级"), order_by="accuracy_class"),
        Column("max", gettext_lazy("最大秤量 Max"), lambda a: format_mass(a.max_capacity_g)),
        Column("min", gettext_lazy("最小秤量 Min"), lambda a: format_mass(a.min_capacity_g)),
        Column("e", gettext_lazy("检定分度值 e"), lambda a: format_mass(a.e_g)),
        Column("issued_on", gettext_lazy("批准日期"), order_by="issued_on"),
        Column("status", gettext_lazy("状态"), choice_label("status"), order_by="status"),
    )
    default_ordering = ("-issued_on", "certificate_no")
    select_related = ("manufacturer",)
    csv_filename = "type-approvals"


class TypeApprovalDetailView(ObjectDetailView):
    model = TypeApproval
    template_name = "instruments/type_approval_detail.html"
    select_related = ("manufacturer", "issued_by", "evaluation_institution")

    def get_context(self, request: HttpRequest, approval: TypeApproval) -> dict[str, Any]:
        scales = visible(Scale, request.user).filter(type_approval=approval)
        count, exact = bounded_count(scales)
        return {
            "software": list(approval.software.all()),
            "status_history": list(approval.status_history.select_related("user")),
            "scale_count": count,
            "scale_count_exact": exact,
            "scales_url": reverse("instruments:scale_list")
            + "?"
            + urlencode({"type_approval": approval.pk}),
        }


class TypeApprovalHistoryView(ObjectHistoryView):
    model = TypeApproval
