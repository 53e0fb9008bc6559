"""Fail when a translatable string has no English translation, or one is fuzzy.

Run by `make lint`: it regenerates the catalogue in a temporary copy, so a string added in code
but never run through makemessages is caught too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "chengxin" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> int:
    if not CATALOGUE.exists():
        print(f"missing {CATALOGUE.relative_to(ROOT)}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "django.po"
        shutil.copy(CATALOGUE, copy)
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "en",
                "--ignore=.venv",
                "--ignore=node_modules",
                "--ignore=var",
                "--no-location",
                "-v0",
            ],
            cwd=ROOT,
            check=True,
        )
        try:
            problems = _problems(CATALOGUE)
        finally:
            shutil.copy(copy, CATALOGUE)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} untranslated or fuzzy string(s); run `make messages` and translate")
        return 1
    print("translations complete")
    return 0


def _problems(path: Path) -> list[str]:
    import polib

    catalogue = polib.pofile(str(path))
    return [f"untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()] + [
        f"fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()
    ]


if __name__ == "__main__":
    sys.exit(main())
