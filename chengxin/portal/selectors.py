"""What the public page of a scale may show, read in one bounded query (a sticker scan: two more).

Everything here is public: a shopper who scans a sticker is anonymous. These functions must
never read a vendor (name, phone, id number), a user, or a free-text note, and must never follow
``Scale.vendor`` or ``Stall.vendor``; what they return goes into the HTML as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Choices, F, Func, TextField
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from chengxin.core.choices import ChangeAction
from chengxin.core.compiled import fetch_one, marker
from chengxin.instruments import codes
from chengxin.instruments.choices import AccuracyClass, ScaleState, TypeApprovalStatus
from chengxin.instruments.lifecycle import TRANSITIONS
from chengxin.instruments.models import Scale
from chengxin.ledger import leaves
from chengxin.ledger.models import Checkpoint, LogEntry
from chengxin.verification.choices import VerificationKind, VerificationResult


@dataclass(frozen=True)
class PublicVerification:
    """The last verification as the public sees it: never the verifier, checker or approver."""

    passed: bool
    performed_on: dt.date
    institution: str
    document_no: str
    valid_until: dt.date | None = None
    kind_label: str = ""
    certificate_id: int | None = None


@dataclass(frozen=True)
class PublicScale:
    """A scale as its public page shows it: only public columns, flattened (one compiled query).

    ``version`` is what the rendered page depends on besides the date: when any of the scale,
    its maker, approval, market or stall is saved (a verification changes the scale's state and
    validity, so it saves the scale too), or its history is written again (a verification, a new
    leaf about the scale in the log: ``services``), the page is rendered again. Leaves about
    other scales do not touch it: the log grows all the time.
    ``history`` is None when the caller said it holds the page of this ``version`` already.
    """

    id: int
    code: str
    state: str
    valid_until: dt.date | None
    accuracy_class: str
    max_capacity_g: Any
    min_capacity_g: Any
    e_g: Any
    manufacturer_name: str
    approval_certificate_no: str
    approval_model_name: str
    approval_status: str
    market_name: str | None
    market_address: str | None
    stall_number: str | None
    version: str
    history: PublicHistory | None

    @property
    def accuracy_class_label(self) -> str:
        return _choice_label(get_language(), AccuracyClass, self.accuracy_class)

    @property
    def approval_status_label(self) -> str:
        return _choice_label(get_language(), TypeApprovalStatus, self.approval_status)

    @property
    def approval_valid(self) -> bool:
        return type_approval_is_valid(self.approval_status)


@functools.lru_cache(maxsize=256)
def _choice_label(language: str | None, choices: type[Choices], value: str) -> str:
    """A choice's label in ``language`` (the active one, part of the cache key): every page
    shows three, of a handful of values."""
    return str(choices(value).label)


# Only these columns of a scale and what it links to are ever loaded for the public page,
# each under the name of the ``PublicScale`` field it fills.
_PUBLIC_SCALE_COLUMNS = {
    "id": "id",
    "code": "code",
    "state": "state",
    "valid_until": "valid_until",
    "accuracy_class": "accuracy_class",
    "max_capacity_g": "max_capacity_g",
    "min_capacity_g": "min_capacity_g",
    "e_g": "e_g",
    "manufacturer__name": "manufacturer_name",
    "type_approval__certificate_no": "approval_certificate_no",
    "type_approval__model_name": "approval_model_name",
    "type_approval__status": "approval_status",
    "market__name": "market_name",
    "market__address": "market_address",
    "stall__number": "stall_number",
}
_VERSION_COLUMNS = (
    "updated_at",
    "manufacturer__updated_at",
    "type_approval__updated_at",
    "market__updated_at",
    "stall__updated_at",
    "public_history__refreshed_at",
)


class Spelled(Func):
    """A function whose SQL is spelled out here around its compiled arguments."""

    def spell(self, connection: Any, arguments: list[tuple[str, Any]]) -> str:
        raise NotImplementedError  # ``arguments``: each argument's SQL with its expression

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        arguments, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            arguments.append((sql, expression))
            params.extend(expression_params)
        return self.spell(connection, arguments), tuple(params)


class _Version(Spelled):
    """The page's version as one text: the save times of the scale, its maker, approval, market
    and stall, and of its history, as the database writes them (it is only ever compared for
    equality; text, because turning six timestamps into datetimes cost as much as the rest of
    the row). Spelled out: Django's ``Concat`` passes every separator and empty string as a
    parameter of its own."""

    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*_VERSION_COLUMNS)

    def spell(self, connection: Any, arguments: list[tuple[str, Any]]) -> str:
        texts = [f"COALESCE(CAST({sql} AS TEXT), '')" for sql, _ in arguments]
        return "(" + " || '|' || ".join(texts) + ")"


def scale_public_get(*, code: str, cached_version: str | None = None) -> PublicScale | None:
    """The scale with platform code ``code`` (normalised) as its public page shows it, or None.

    One compiled query for every scan (building the queryset anew each time cost more than the
    look-up itself: ``core.compiled``): the scale's row, what it links to, and its history kept
    ready (``models.ScaleHistory``), which is decoded only if the page's version is not
    ``cached_version`` (that of the page the caller holds).
    """
    row = fetch_one(
        ("portal_scale",),
        lambda: (
            Scale.objects.filter(code=marker())
            .order_by()  # a code is unique
            .annotate(version=_Version(), history=F("public_history__history"))
            .values_list(*_PUBLIC_SCALE_COLUMNS, "version", "history")
        ),
        code,
        (*_PUBLIC_SCALE_COLUMNS.values(), "version", "history"),
    )
    if row is None:
        return None
    text = row.pop("history")
    if row["version"] == cached_version:
        return PublicScale(**row, history=None)
    # No history row: nothing about the scale is in the log yet, and it was never verified.
    verification, event, records = [None, None, []] if text is None else json.loads(text)
    return PublicScale(
        **row,
        history=PublicHistory(
            _public_verification(verification, event, row["valid_until"]),
            _log_records(records),
        ),
    )


def scale_codes_existing(*, candidates: Iterable[str]) -> list[str]:
    """Which of ``candidates`` are codes of registered scales (one query), sorted."""
    wanted = sorted(set(candidates))
    if not wanted:
        return []
    return sorted(Scale.objects.filter(code__in=wanted).values_list("code", flat=True))


def _public_verification(
    verification: list[Any] | None,
    event: list[Any] | None,
    valid_until: dt.date | None,
) -> PublicVerification | None:
    """The last verification from the query's two JSON arrays; the record wins."""
    if verification is not None:
        result, kind, performed_on, institution, document_no, until, certificate_id = verification
        return PublicVerification(
            passed=result == VerificationResult.PASSED,
            performed_on=dt.date.fromisoformat(performed_on),
            institution=institution,
            document_no=document_no,
            valid_until=_json_date(until),
            kind_label=_choice_label(get_language(), VerificationKind, kind),
            certificate_id=certificate_id,
        )
    if event is None:
        return None
    transition, at_text, document, organisation = event
    # A lifecycle event's time is never NULL; inside JSON it is text, as in a leaf.
    at = leaves.parse_time(at_text)
    assert at is not None
    passed = transition == "pass_verification"
    return PublicVerification(
        passed=passed,
        performed_on=timezone.localtime(at).date(),
        institution=organisation or "",
        document_no=document,
        valid_until=valid_until if passed else None,
    )


def _json_date(text: str | None) -> dt.date | None:
    # A date inside a JSON object is text; PostgreSQL and SQLite both write it ISO 8601.
    return None if text is None else dt.date.fromisoformat(text)


@dataclass(frozen=True)
class StickerCertificate:
    """What the sticker's ``?c=<leaf index>`` points at, checked against the scale."""

    index: int
    status: str  # "current", "old" (an earlier certificate of this scale), "foreign", "unknown"
    number: str = ""


def sticker_certificate(
    *, scale: PublicScale, index: int, last: PublicVerification | None
) -> StickerCertificate:
    """Whether leaf ``index`` records a certificate of ``scale``, and whether it is the last.

    The browser then checks the leaf itself; this only tells the page which words to show.
    """
    from django.contrib.contenttypes.models import ContentType

    from chengxin.verification.models import Certificate

    content_type = ContentType.objects.get_for_model(Certificate)
    entry = (
        LogEntry.objects.filter(index=index)
        .values("record__content_type_id", "record__object_id")
        .first()
    )
    if entry is None:
        return StickerCertificate(index, "unknown")
    if entry["record__content_type_id"] != content_type.pk:
        return StickerCertificate(index, "foreign")
    certificate = (
        Certificate.objects.filter(pk=entry["record__object_id"], verification__scale_id=scale.id)
        .values("pk", "number")
        .first()
    )
    if certificate is None:
        return StickerCertificate(index, "foreign")
    current = last is not None and last.certificate_id == certificate["pk"]
    return StickerCertificate(index, "current" if current else "old", certificate["number"])


# --- the scale's records in the log -----------------------------------------------------------


@dataclass(frozen=True)
class LogRecord:
    """One leaf about a scale, described for people; the browser checks it is in the log."""

    index: int
    label: str
    meta: str = ""
    """The line under the label: the leaf's time as the page's readers write it (minutes, in
    the platform's time zone) and its number; made here, not in the template, where it took
    three expressions per record."""


@dataclass(frozen=True)
class PublicHistory:
    """What a page adds to its scale's row when it is rendered: the last verification and the
    scale's records in the log, oldest first."""

    last_verification: PublicVerification | None
    records: list[LogRecord]


def scale_subject_key(scale: PublicScale) -> str:
    """Content-index key under which every leaf about ``scale`` is found."""
    return leaves.object_key("instruments.scale", scale.id)


def _log_records(rows: list[list[Any]]) -> list[LogRecord]:
    """The records, oldest first (sorted here: a JSON aggregate promises no order), each with
    its label and its line under it: the time, as the page's readers write it, and the number.

    One loop rather than a function per record: a page lists many records.
    """
    zone, language = timezone.get_current_timezone(), get_language()
    number = _leaf_number(language)
    records = []
    for index, kind, time_text in sorted(rows):
        meta = number % {"index": index}
        time = leaves.parse_time(time_text)
        if time is not None:
            # "2026-11-26 16:40": isoformat is several times cheaper than strftime.
            meta = f"{time.astimezone(zone).isoformat(' ', 'minutes')[:16]} · {meta}"
        records.append(LogRecord(index, _label(language, kind), meta))
    return records


@functools.lru_cache(maxsize=16)
def _leaf_number(language: str | None) -> str:
    """The words around a leaf's number in ``language`` (the active one, part of the cache
    key), filled in per record."""
    return gettext("第 %(index)s 条")


@functools.lru_cache(maxsize=4096)
def _label(language: str | None, kind: str) -> str:
    """What a record of ``kind`` (``leaves.kind``) is, in ``language`` (the active one, part of
    the cache key): a page lists many records, of few kinds."""
    model, action, detail = [*kind.split(" ", 2), "", ""][:3]
    if not model:
        return str(_("无法识别的记录"))
    if model == "instruments.lifecycleevent":
        spec = TRANSITIONS.get(detail)
        return str(spec.label if spec else _("生产登记"))
    if model == "instruments.scale":
        if action == ChangeAction.CREATE:
            return str(_("建立秤档案"))
        if action == ChangeAction.TRANSITION:
            label = ScaleState(detail).label if detail in ScaleState.values else detail
            return str(_("状态变为“%s”") % label)
        return str(_("更正登记信息"))
    try:
        verbose = apps.get_model(model)._meta.verbose_name
    except (LookupError, ValueError):
        verbose = model
    action_label = ChangeAction(action).label if action in ChangeAction.values else action
    return f"{verbose} · {action_label}"


# --- what the status means for a shopper --------------------------------------------------------


@dataclass(frozen=True)
class PublicStatus:
    """The verdict at the top of the page: a tone (good / warn / bad), a headline, what it
    means, and (when the scale must not be trusted) what the shopper can do."""

    tone: str
    headline: str
    advice: str
    action: str = ""


# What each state that forbids trade means, for the shopper (lazy: translated per page).
_EXPLANATIONS: dict[str, tuple[str, Promise, Promise]] = {
    ScaleState.REJECTED: (
        "bad",
        _("检定不合格，不得使用"),
        _("这台秤未通过检定或监管部门的检查，称量可能不准。"),
    ),
    ScaleState.LOCKED: (
        "bad",
        _("已锁机，不得使用"),
        _("这台秤的外壳被打开过，已自动锁机；修理并重新检定合格前不得使用。"),
    ),
    ScaleState.REPAIRED: (
        "warn",
        _("修理后待检定，不得用于结算"),
        _("这台秤修理后还没有重新检定。"),
    ),
    ScaleState.SEIZED: (
        "bad",
        _("已被市场监管部门查封扣押"),
        _("这台秤涉嫌违法，已被查封，不得使用。"),
    ),
    ScaleState.DESTROYED: ("bad", _("已销毁"), _("这台秤已被依法销毁，不应再出现在市场上。")),
    ScaleState.SCRAPPED: ("bad", _("已报废"), _("这台秤已报废，不应再出现在市场上。")),
    ScaleState.RETIRED: ("warn", _("已停止使用"), _("这台秤已登记停止使用。")),
    ScaleState.REGISTERED: (
        "warn",
        _("已登记，尚未检定"),
        _("这台秤已在市场登记，但还没有检定合格，不得用于贸易结算。"),
    ),
}


def scale_public_status(*, scale: PublicScale, today: dt.date) -> PublicStatus:
    """What the scale's state means, on the platform's day ``today``, for someone about to pay
    by its reading."""
    return _status(get_language(), scale.state, scale.valid_until, today)


@functools.lru_cache(maxsize=8192)
def _status(
    language: str | None, state: str, until: dt.date | None, today: dt.date
) -> PublicStatus:
    """The verdict, in ``language`` (the active one, part of the cache key): it depends on the
    state and the validity alone, and a day's scans share a few thousand of those at most."""
    date = until.isoformat() if until else ""
    not_for_trade = gettext("请不要按它的读数付款；可以到市场的公平秤复秤，或向市场监管部门投诉。")
    if state == ScaleState.IN_SERVICE and until is not None and until >= today:
        return PublicStatus(
            "good",
            gettext("已检定合格，有效期至 %s") % date,
            gettext("这台秤经法定计量检定合格，可以用于贸易结算。"),
        )
    if state in (ScaleState.IN_SERVICE, ScaleState.OVERDUE):
        headline = gettext("检定已过期（有效期至 %s）") % date if until else gettext("检定已过期")
        return PublicStatus(
            "bad",
            headline,
            gettext("这台秤没有按期重新检定，读数不再有法定保证。"),
            not_for_trade,
        )
    if state in _EXPLANATIONS:
        tone, label, meaning = _EXPLANATIONS[state]
        return PublicStatus(tone, str(label), str(meaning), not_for_trade)
    # Manufactured, in stock or sold: not yet at a stall at all.
    return PublicStatus(
        "warn",
        gettext("尚未投入使用"),
        gettext("这台秤还没有在市场登记和检定，不得用于贸易结算。"),
        not_for_trade,
    )


def type_approval_is_valid(status: str) -> bool:
    return status == TypeApprovalStatus.VALID


def code_problem(normalised: str) -> str | None:
    """Why ``normalised`` is not a valid platform code: "length", "characters", "check" or None.

    ``codes.validate`` says the same in English for logs; the page needs a reason to translate.
    """
    if len(normalised) != codes.LENGTH:
        return "length"
    if any(ch not in codes.ALPHABET for ch in normalised):
        return "characters"
    if not codes.is_valid(normalised):
        return "check"
    return None


_log_size_cache: tuple[float, int] = (0.0, 0)


def published_log_size() -> int:
    """The published tree size, re-read at most once a second per process."""
    global _log_size_cache
    now = time.monotonic()
    if now - _log_size_cache[0] > 1.0:
        size = Checkpoint.objects.published().values_list("size", flat=True).first() or 0
        _log_size_cache = (now, size)
    return _log_size_cache[1]
