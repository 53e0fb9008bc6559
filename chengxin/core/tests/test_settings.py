"""The production profile refuses to start insecurely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "k" * 50


def _import_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHENGXIN_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "import chengxin.settings.production"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DATABASE_URL": "postgres://x@localhost/x"}, "CHENGXIN_SECRET_KEY"),
        (
            {
                "CHENGXIN_SECRET_KEY": "django-insecure-" + GOOD_KEY,
                "DATABASE_URL": "postgres://x/x",
            },
            "CHENGXIN_SECRET_KEY",
        ),
        ({"CHENGXIN_SECRET_KEY": GOOD_KEY}, "DATABASE_URL"),
        (
            {
                "CHENGXIN_SECRET_KEY": GOOD_KEY,
                "DATABASE_URL": "postgres://x/x",
                "CHENGXIN_DEBUG": "1",
            },
            "DEBUG",
        ),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(env, complaint):
    result = _import_production(**env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_starts_with_a_key_and_a_database():
    result = _import_production(CHENGXIN_SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://x@db/x")
    assert result.returncode == 0, result.stderr
