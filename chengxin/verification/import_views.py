"""Console pages of the bulk import: upload form, template download, job progress and report.

Included from ``chengxin/console_urls.py`` under ``/verification/import/`` (this module carries
its own ``urlpatterns``). The pages only validate the upload and call ``imports``; the progress
fragment is polled by htmx until the job has finished.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from chengxin.core.errors import ServiceError
from chengxin.core.permissions import get_visible_or_404, visible

from . import imports
from .models import ImportJob

app_name = "verification-import"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("检定记录文件"),
        help_text=format_lazy(
            _("按模板填写的 CSV（UTF-8）或 XLSX 文件，最多 {n} 行"), n=f"{imports.MAX_ROWS:,}"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _jobs(request: HttpRequest) -> Any:
    return visible(ImportJob.objects.defer("content"), request.user)


class ImportView(LoginRequiredMixin, View):
    """``/verification/import/``: the upload form, the template links and recent imports."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, ImportUploadForm())

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_job_start(
                    user=request.user, filename=upload.name or "", content=upload.read()
                )
            except (ServiceError, PermissionDenied) as exc:
                form.add_error("file", getattr(exc, "message", None) or str(exc))
            else:
                return redirect("verification-import:job", pk=job.pk)
        return self._page(request, form, status=400)

    def _page(
        self, request: HttpRequest, form: ImportUploadForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "title": _("批量导入检定记录"),
            "form": form,
            "columns": imports.COLUMNS,
            "jobs": _jobs(request)[:10],
        }
        return render(request, "verification/import.html", context, status=status)


class ImportJobView(LoginRequiredMixin, View):
    """``/verification/import/<id>/``: progress (polled fragment) and the report of bad rows."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_visible_or_404(_jobs(request), request.user, pk=pk)
        if request.GET.get("format") == "csv":
            return _errors_csv(job)
        context = {"title": _("检定记录导入"), "job": job}
        if request.headers.get("HX-Request"):
            return render(request, "verification/import_progress.html", context)
        return render(request, "verification/import_job.html", context)


class ImportTemplateView(LoginRequiredMixin, View):
    """``/verification/import/template.csv`` and ``template.xlsx``: the empty template."""

    def get(self, request: HttpRequest, file_format: str) -> HttpResponse:
        content, filename, content_type = imports.import_template(file_format=file_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _errors_csv(job: ImportJob) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行", "列", "问题"])
    for error in job.errors:
        writer.writerow([error.get("row"), error.get("column"), error.get("message")])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    name = _quote(f"导入错误报告-{job.pk}.csv")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


urlpatterns = [
    path("", ImportView.as_view(), name="upload"),
    path("<int:pk>/", ImportJobView.as_view(), name="job"),
    path(
        "template.<str:file_format>",
        ImportTemplateView.as_view(),
        name="template",
    ),
]
