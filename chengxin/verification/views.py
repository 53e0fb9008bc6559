"""Console pages for verifications: record one (with a live preview), read it, print its
certificate, notice and stickers; lists of verifications and of scales due or overdue.

Views read through ``selectors`` and ``chengxin.core.permissions`` and write through
``services.verification_record`` only; they never judge a reading or decide who may record
(``PermissionDenied`` from the service becomes a 403, ``Http404`` a 404, a ``ServiceError`` is
shown on the form).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chengxin.core.errors import ServiceError
from chengxin.core.permissions import get_visible_or_404, visible
from chengxin.core.views import Column, ObjectDetailView, ObjectListView, choice_label
from chengxin.instruments import codes
from chengxin.instruments.filtersets import ScaleFilterSet
from chengxin.instruments.models import Scale

from . import selectors, services, stickers
from .choices import TestKind
from .filtersets import VerificationFilterSet
from .forms import VerificationForm, plain_number, standards_text
from .models import Verification
from .pdf import FontMissing, key_id, results_summary, verification_pdf

# --- recording --------------------------------------------------------------------------------


def _scale_for_recording(request: HttpRequest, key: str) -> Scale:
    """The scale (404 when out of sight) if the user records verifications at all (else 403)."""
    scale = get_visible_or_404(
        Scale.objects.select_related("type_approval", "manufacturer", "division"),
        request.user,
        code=codes.normalise(key),
    )
    if not selectors.verification_kinds_for(request.user):
        raise PermissionDenied(_("只有计量检定机构的检定员或市场监管部门的检查员可以记录检定"))
    return scale


class VerificationRecordView(LoginRequiredMixin, View):
    """记录检定: the form for one scale; a submitted form goes to ``verification_record``."""

    template_name = "verification/verification_form.html"

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        scale = _scale_for_recording(request, key)
        form = VerificationForm(scale=scale, user=request.user)
        return self.render_form(request, scale, form)

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        scale = _scale_for_recording(request, key)
        form = VerificationForm(request.POST, scale=scale, user=request.user)
        if form.is_valid():
            try:
                verification = services.verification_record(
                    user=request.user, scale=scale, raw=form.raw()
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("检定已记录：%(result)s，%(no)s")
                    % {
                        "result": verification.get_result_display(),
                        "no": verification.document_no,
                    },
                )
                return redirect(verification.get_absolute_url())
        return self.render_form(request, scale, form, status=200)

    def render_form(
        self, request: HttpRequest, scale: Scale, form: VerificationForm, status: int = 200
    ) -> HttpResponse:
        evaluation, preview_error = None, ""
        if form.is_bound:
            evaluation, preview_error = _preview(scale, form)
        context = {
            "title": _("记录检定"),
            "scale": scale,
            "form": form,
            "groups": form.row_groups(evaluation),
            "evaluation": evaluation,
            "preview_error": preview_error,
            "prechecks": ("identity_matches", "seals_intact", "codes_present"),
        }
        return render(request, self.template_name, context, status=status)


def _preview(scale: Scale, form: VerificationForm) -> tuple[Any, str]:
    try:
        return services.points_preview(scale, form.preview_raw()), ""
    except ServiceError as exc:
        return None, exc.message


class VerificationPreviewView(LoginRequiredMixin, View):
    """The judged table for what has been typed so far (htmx posts the form here as one types)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        scale = _scale_for_recording(request, key)
        form = VerificationForm(request.POST, scale=scale, user=request.user)
        evaluation, error = _preview(scale, form)
        context = {
            "groups": form.row_groups(evaluation),
            "evaluation": evaluation,
            "preview_error": error,
            "oob": True,
        }
        return render(request, "verification/_judgement.html", context)


# --- one verification -------------------------------------------------------------------------


def _bundle_url(leaf_index: int | None) -> str | None:
    if leaf_index is None:
        return None
    return f"/api/v1/log/leaves/{leaf_index}/bundle"


class VerificationDetailView(ObjectDetailView):
    """A verification as recorded: pre-checks, every point, result, documents, log leaf."""

    model = Verification
    template_name = "verification/verification_detail.html"
    select_related = (
        "scale",
        "scale__type_approval",
        "scale__manufacturer",
        "institution",
        "verifier",
        "checker",
        "approver",
    )

    def lookup_value(self, value: Any) -> Any:
        return int(value)

    def get_context(self, request: HttpRequest, verification: Verification) -> dict[str, Any]:
        certificate = selectors.verification_certificate(verification)
        leaf = selectors.certificate_leaf(certificate) if certificate else None
        leaf_index = leaf.index if leaf is not None else None
        points = selectors.verification_points(verification)
        return {
            "title": verification.document_no,
            "scale": verification.scale,
            "point_rows": [_point_row(p) for p in points],
            "summary": results_summary(points),
            "certificate": certificate,
            "leaf": leaf,
            "leaf_index": leaf_index,
            "bundle_url": _bundle_url(leaf_index),
            "sticker_url": (
                stickers.sticker_url(code=verification.scale.code, leaf_index=leaf_index)
                if certificate
                else None
            ),
            "standards": standards_text(verification.standards),
            "key_id": key_id(certificate.signing_key.verifier_key) if certificate else "",
        }


def _point_row(point: Any) -> dict[str, Any]:
    """A stored test point with its numbers as people write them (no exponent, no trailing 0)."""
    price = point.test == TestKind.PRICE
    return {
        "point": point,
        "numbers": [
            plain_number(point.load_g),
            plain_number(point.indication_g),
            plain_number(point.added_g),
            plain_number(point.error_g, signed=True),
            plain_number(point.corrected_error_g, signed=True),
            "—" if price else f"±{plain_number(point.mpe_g)}",
        ],
    }


def _font_missing(exc: FontMissing) -> HttpResponse:
    return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")


class VerificationDocumentView(VerificationDetailView):
    """The certificate (passed) or result notice (failed) as PDF, for the holder."""

    def get(self, request: HttpRequest, key: Any) -> HttpResponse:
        verification = self.get_object(request, key)
        certificate = selectors.verification_certificate(verification)
        leaf_index = selectors.certificate_leaf_index(certificate)
        try:
            body = verification_pdf(
                verification,
                points=selectors.verification_points(verification),
                certificate=certificate,
                sticker_url=(
                    stickers.sticker_url(code=verification.scale.code, leaf_index=leaf_index)
                    if certificate
                    else None
                ),
                leaf_index=leaf_index,
            )
        except FontMissing as exc:
            return _font_missing(exc)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{verification.document_no}.pdf"'
        return response


def _sticker_or_404(verification: Verification) -> stickers.Sticker:
    certificate = selectors.verification_certificate(verification)
    if certificate is None:
        raise Http404("no certificate, so no conformity label")
    return stickers.sticker_for(verification, selectors.certificate_leaf_index(certificate))


def _layout(request: HttpRequest) -> str:
    return "label" if request.GET.get("layout") == "label" else "a4"


class StickerPdfView(VerificationDetailView):
    """Conformity labels of one verification (``?layout=label`` one per page; ``copies``)."""

    def get(self, request: HttpRequest, key: Any) -> HttpResponse:
        sticker = _sticker_or_404(self.get_object(request, key))
        try:
            copies = max(1, min(stickers.MAX_STICKERS, int(request.GET.get("copies", "1"))))
        except ValueError:
            copies = 1
        try:
            body = stickers.sticker_sheet_pdf([sticker] * copies, layout=_layout(request))
        except FontMissing as exc:
            return _font_missing(exc)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="sticker-{sticker.code}.pdf"'
        return response


class StickerQrView(VerificationDetailView):
    """The label's QR code as PNG (to check it on screen or print it elsewhere)."""

    def get(self, request: HttpRequest, key: Any) -> HttpResponse:
        sticker = _sticker_or_404(self.get_object(request, key))
        return HttpResponse(stickers.qr_png(sticker.url), content_type="image/png")


# --- lists ------------------------------------------------------------------------------------


class VerificationListView(ObjectListView):
    model = Verification
    filterset_class = VerificationFilterSet
    title = gettext_lazy("检定记录")
    columns = (
        Column(
            "document_no",
            gettext_lazy("证书或通知书编号"),
            order_by="document_no",
            link=True,
            css="code",
        ),
        Column("scale", gettext_lazy("一秤一码"), "scale.display_code", css="code"),
        Column("kind", gettext_lazy("检定类别"), choice_label("kind"), order_by="kind"),
        Column("performed_on", gettext_lazy("检定日期"), order_by="performed_on"),
        Column("institution", gettext_lazy("检定机构"), "institution.name"),
        Column("result", gettext_lazy("检定结论"), choice_label("result"), order_by="result"),
        Column("as_found", gettext_lazy("原始状态代码"), order_by="as_found"),
        Column("valid_until", gettext_lazy("有效期至"), order_by="valid_until"),
    )
    default_ordering = ("-performed_on", "-id")
    select_related = ("scale", "institution")
    csv_filename = "verifications"


class ScaleVerificationsView(LoginRequiredMixin, View):
    """The verifications of one scale that the user may see (the passport loads it)."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        scale = get_visible_or_404(Scale, request.user, code=codes.normalise(key))
        rows = (
            visible(Verification, request.user)
            .filter(scale=scale)
            .select_related("institution")
            .order_by("-performed_on", "-id")[:50]
        )
        return render(
            request, "verification/_scale_verifications.html", {"rows": rows, "scale": scale}
        )


def _days_left(scale: Scale) -> str:
    if scale.valid_until is None:
        return ""
    return str((scale.valid_until - timezone.localdate()).days)


_DUE_COLUMNS = (
    Column(
        "code", gettext_lazy("一秤一码"), "display_code", order_by="code", link=True, css="code"
    ),
    Column("serial", gettext_lazy("出厂编号"), order_by="serial"),
    Column("model", gettext_lazy("型号"), "type_approval.model_name"),
    Column("division", gettext_lazy("所在区划"), "division.name", order_by="division_id"),
    Column("operator", gettext_lazy("市场开办者"), "operator.name"),
    Column("market", gettext_lazy("市场"), "market.name"),
    Column("stall", gettext_lazy("摊位"), "stall.number"),
    Column("state", gettext_lazy("状态"), choice_label("state"), order_by="state"),
    Column("valid_until", gettext_lazy("有效期至"), order_by="valid_until"),
    Column("days_left", gettext_lazy("剩余天数"), _days_left, css="num"),
)


class _DueListView(ObjectListView):
    """Scales by the end of their verification: what the due-soon and overdue lists share."""

    model = Scale
    filterset_class = ScaleFilterSet
    columns = _DUE_COLUMNS
    default_ordering = ("valid_until", "pk")
    select_related = ("type_approval", "division", "operator", "market", "stall")
    template_name = "verification/due_list.html"
    hidden_filters = ("state", "valid_until_before", "valid_until_after")


class DueSoonListView(_DueListView):
    """In-service scales whose verification ends within N days (``?days=``, default 30)."""

    csv_filename = "scales-due-soon"

    def days(self, request: HttpRequest) -> int:
        return selectors.due_soon_days(request.GET.get("days", selectors.DUE_SOON_DAYS))

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = selectors.scales_due_soon(user=request.user, days=self.days(request))
        return qs.select_related(*self.select_related)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        days = self.days(request)
        return {
            "title": _("%(days)s 天内到期的秤") % {"days": days},
            "days": days,
            "show_days": True,
        }


class OverdueListView(_DueListView):
    """Scales still in use after their verification has lapsed."""

    title = gettext_lazy("检定已过期的秤")
    csv_filename = "scales-overdue"

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.scales_overdue(user=request.user).select_related(*self.select_related)


class StickerSheetView(ObjectListView):
    """Labels for every passed verification in the filtered list (up to ten A4 sheets)."""

    model = Verification
    filterset_class = VerificationFilterSet

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(request), request=request
        )
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        verifications = list(
            qs.filter(certificate__isnull=False)
            .select_related("scale", "institution", "certificate")
            .order_by("-performed_on", "-id")[: stickers.MAX_STICKERS]
        )
        indexes = selectors.certificate_leaf_indexes([v.certificate.pk for v in verifications])
        labels = [stickers.sticker_for(v, indexes[v.certificate.pk]) for v in verifications]
        try:
            body = stickers.sticker_sheet_pdf(labels, layout=_layout(request))
        except FontMissing as exc:
            return _font_missing(exc)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="stickers.pdf"'
        return response
