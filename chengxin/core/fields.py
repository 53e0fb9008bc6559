"""Field types shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django.db import models


def grams_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A mass as an exact decimal in grams: 0.0001 g resolves class I intervals, 10^8 g is 100 t."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)


def split_list(value: str) -> list[str]:
    """Items typed in one cell or field, separated by ASCII or full-width semicolons."""
    return [item.strip() for item in value.replace("；", ";").split(";") if item.strip()]
