"""Choosing the UI language and loading its translations.

The settings may name a language; otherwise the system locale decides: Chinese
systems get zh_CN, everyone else English (the source language). Our own strings come
from ``resources/translations/memberdesk_<lang>.qm``; Qt's standard dialogs from Qt's
own catalogue. ``QLocale.setDefault`` makes dates and numbers follow the same choice.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop.resources import resources_dir

SUPPORTED = ("zh_CN", "en")


def choose_language(preference: str, system: QLocale | None = None) -> str:
    if preference in SUPPORTED:
        return preference
    locale = system or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load and install the translators for ``language``; keep the list alive."""
    QLocale.setDefault(QLocale(language))
    if language == "en":
        return []
    installed = []
    ours = QTranslator(app)
    if ours.load(f"memberdesk_{language}", str(resources_dir() / "translations")):
        app.installTranslator(ours)
        installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed
