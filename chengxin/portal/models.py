"""What the public page of a scale shows besides the scale's own row, kept ready.

A shopper's scan is, for the platform, a random scale out of millions: its rows are rarely in
memory. Read from where it lives, a scale's history (its last verification and its records in
the transparency log) is a dozen rows in four tables, scattered over as many pages as the scale
is years old. ``ScaleHistory`` keeps it as one row beside the scale, so that a first scan reads
the scale and one more row (``docs/decisions/0004``).

It is derived data, never a source: ``portal.services.histories_refresh`` writes it from the
verification records, the lifecycle events and the content index, in the transaction of every
write that changes one of them, and ``chengxin log reindex`` writes every scale's again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScaleHistory(models.Model):
    """One scale's public history, as the page's query once read it (JSON text)."""

    scale = models.OneToOneField(
        "instruments.Scale",
        verbose_name=_("电子计价秤"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="public_history",
    )
    history = models.TextField(_("公开履历"))
    """``[last verification record, last verification event, log records]``, each as
    ``portal.services`` builds it; text, decoded only when a page is rendered from it."""
    refreshed_at = models.DateTimeField(_("更新时间"))
    """Part of the page's version: a page rendered before this time is out of date."""

    class Meta:
        verbose_name = _("公开履历")
        ordering = ("scale",)
        verbose_name_plural = _("公开履历")

    def __str__(self) -> str:
        return f"{self.scale_id} @ {self.refreshed_at:%Y-%m-%d %H:%M:%S}"
