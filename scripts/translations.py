"""Keep the UI translations in step with the code.

    python scripts/translations.py update    # collect tr() strings into the .ts files
    python scripts/translations.py release   # compile the .ts into the .qm the app loads

Translators edit the .ts files (Qt Linguist, or any editor); ``update`` keeps their work
and drops strings the code no longer has. The tests check that the committed .ts files
hold every string in the code, that zh_CN has a translation for each, and that the
committed .qm files are what ``release`` makes of them.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "resources" / "translations"
LANGUAGES = ("zh_CN", "en")
SOURCE_DIRS = ("desktop/ui", "desktop/scan")


def tool(name: str) -> str:
    """A PySide6 tool from the same environment as this Python."""
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for d in SOURCE_DIRS for p in (ROOT / d).glob("*.py"))


def ts_path(language: str, directory: Path = TS_DIR) -> Path:
    return directory / f"memberdesk_{language}.ts"


def update(directory: Path = TS_DIR) -> None:
    for language in LANGUAGES:
        target = ts_path(language, directory)
        subprocess.run(
            [
                tool("lupdate"),
                *sources(),
                "-ts",
                str(target),
                "-no-obsolete",
                "-locations",
                "none",
                "-source-language",
                "en",
                "-target-language",
                language,
                "-silent",
            ],
            cwd=ROOT,
            check=True,
        )


def release(directory: Path = TS_DIR, out_dir: Path | None = None) -> list[Path]:
    made = []
    for language in LANGUAGES:
        qm = (out_dir or directory) / f"memberdesk_{language}.qm"
        subprocess.run(
            [tool("lrelease"), "-silent", str(ts_path(language, directory)), "-qm", str(qm)],
            check=True,
        )
        made.append(qm)
    return made


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) -> the <message> element."""
    found = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def unfinished(path: Path) -> list[tuple[str, str]]:
    """Messages with no finished translation."""
    missing = []
    for key, message in messages(path).items():
        translation = message.find("translation")
        forms = [] if translation is None else list(translation.iter("numerusform"))
        texts = [f.text for f in forms] if forms else [getattr(translation, "text", None)]
        if translation is None or translation.get("type") == "unfinished" or not all(texts):
            missing.append(key)
    return missing


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
    elif argv[1:] == ["release"]:
        release()
    else:
        print(__doc__, file=sys.stderr)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
