"""The transparency log as stored: leaves, the tree's stored hashes, signed checkpoints.

The database is an index over the log. Leaves are written pending (no index) in the same
transaction as the change record they encode; the sequencer alone gives them their index and
extends the tree. Nothing here is ever updated by the console or the API.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LogEntry(models.Model):
    """One leaf: the canonical bytes of one change record, and where it sits in the tree."""

    index = models.BigIntegerField(_("叶子序号"), unique=True, null=True, blank=True)
    record = models.OneToOneField(
        "core.ChangeRecord",
        verbose_name=_("变更记录"),
        on_delete=models.PROTECT,
        related_name="log_entry",
        db_constraint=False,  # the audit must be able to name a deleted record, not cascade
    )
    data = models.BinaryField(_("叶子内容"))
    leaf_hash = models.BinaryField(_("叶子哈希"), max_length=32)
    # Keys the commitments in the leaf; private: never served, lets the platform open them.
    salt = models.BinaryField(_("承诺盐值"), max_length=16)
    created_at = models.DateTimeField(_("写入时间"), default=timezone.now)
    integrated_at = models.DateTimeField(_("入树时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日志叶子")
        verbose_name_plural = _("日志叶子")
        ordering = ("id",)
        indexes = [
            models.Index(
                fields=["id"], name="ledger_pending_idx", condition=models.Q(index__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"leaf {self.index if self.index is not None else '(pending)'}"


class TreeHash(models.Model):
    """One stored hash of the tree (tlog storage order: leaves and completed subtrees)."""

    index = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("树哈希")
        verbose_name_plural = _("树哈希")
        ordering = ("index",)

    def __str__(self) -> str:
        return f"hash {self.index}"


class Checkpoint(models.Model):
    """A signed statement of the tree's size and root (C2SP tlog-checkpoint note)."""

    size = models.BigIntegerField(_("树大小"), unique=True)
    root_hash = models.BinaryField(_("根哈希"), max_length=32)
    note = models.TextField(_("签名检查点"))
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")
        ordering = ("-size",)
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Subject(models.Model):
    """Content index: which leaves concern a key (``scale:<code>``, ``object:<model>:<id>``).

    Rebuilt from the leaves alone by ``chengxin log reindex``; never a source of truth.
    """

    key = models.CharField(max_length=96)
    leaf_index = models.BigIntegerField()

    class Meta:
        verbose_name = _("内容索引")
        verbose_name_plural = _("内容索引")
        ordering = ("key", "leaf_index")
        constraints = [
            models.UniqueConstraint(fields=["key", "leaf_index"], name="ledger_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.leaf_index}"
