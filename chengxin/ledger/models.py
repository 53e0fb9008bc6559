"""The transparency log as stored: leaves, the tree's stored hashes, signed checkpoints.

The database is an index over the log. Leaves are written pending (no index) in the same
transaction as the change record they encode; the sequencer alone gives them their index and
extends the tree. Nothing here is ever updated by the console or the API.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import leaves


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


class CheckpointQuerySet(models.QuerySet["Checkpoint"]):
    def published(self) -> CheckpointQuerySet:
        """Checkpoints with the cosignatures the configuration requires, newest first.

        With ``CHENGXIN_LOG_WITNESS_QUORUM = k`` a checkpoint is served only once k witnesses
        have cosigned it; before that, clients keep seeing the previous published one.
        """
        quorum = int(getattr(settings, "CHENGXIN_LOG_WITNESS_QUORUM", 0))
        return self.filter(cosignatures__gte=quorum).order_by("-size")


class Checkpoint(models.Model):
    """A signed statement of the tree's size and root (C2SP tlog-checkpoint note).

    ``note`` starts with the log's signature; witnesses' cosignature lines are appended as
    they arrive (``cosignatures`` counts the verified ones).
    """

    size = models.BigIntegerField(_("树大小"), unique=True)
    root_hash = models.BinaryField(_("根哈希"), max_length=32)
    note = models.TextField(_("签名检查点"))
    cosignatures = models.PositiveSmallIntegerField(_("见证联署数"), default=0)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")
        ordering = ("-size",)
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class WitnessState(models.Model):
    """The size of the latest checkpoint a witness cosigned for us (the ``old`` of the next
    add-checkpoint request)."""

    name = models.CharField(_("见证方"), max_length=128, primary_key=True)
    size = models.BigIntegerField(_("已联署的树大小"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("见证方状态")
        verbose_name_plural = _("见证方状态")
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} @ {self.size}"


class Subject(models.Model):
    """Content index: which leaves concern a key (``scale:<code>``, ``object:<model>:<id>``).

    Each row also says what its leaf records and when (``leaves.kind``, the leaf's time), so
    that listing a key's records (a scale's public page) reads the index alone, not the leaves.
    Rebuilt from the leaves alone by ``chengxin log reindex``; never a source of truth.
    """

    key = models.CharField(max_length=96)
    leaf_index = models.BigIntegerField()
    leaf_kind = models.CharField(_("记录类别"), max_length=leaves.KIND_LENGTH, default="")
    leaf_time = models.DateTimeField(_("记录时间"), null=True)

    class Meta:
        verbose_name = _("内容索引")
        verbose_name_plural = _("内容索引")
        ordering = ("key", "leaf_index")
        constraints = [
            models.UniqueConstraint(fields=["key", "leaf_index"], name="ledger_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.leaf_index}"
