"""Every visible string is translated: the .ts files hold all of them, zh_CN has a
translation for each, the shipped .qm files are compiled from them, and the app picks
its language from the system unless the settings say otherwise."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from desktop.resources import resources_dir
from desktop.ui.i18n import choose_language, install_translators
from desktop.ui.login_view import LoginView
from scripts import translations


@pytest.fixture(scope="module")
def fresh_ts(tmp_path_factory):
    """The committed .ts files, updated from the code as it is now."""
    directory = tmp_path_factory.mktemp("ts")
    for language in translations.LANGUAGES:
        shutil.copy(translations.ts_path(language), directory)
    translations.update(directory)
    return directory


@pytest.mark.parametrize("language", translations.LANGUAGES)
def test_the_committed_ts_files_hold_every_string_in_the_code(fresh_ts, language):
    committed = set(translations.messages(translations.ts_path(language)))
    current = set(translations.messages(translations.ts_path(language, fresh_ts)))

    assert current - committed == set(), "run: python scripts/translations.py update"
    assert committed - current == set(), "run: python scripts/translations.py update"


def test_every_string_has_a_chinese_translation():
    assert translations.unfinished(translations.ts_path("zh_CN")) == []


def test_the_shipped_qm_files_are_compiled_from_the_ts_files(tmp_path):
    for made in translations.release(out_dir=tmp_path):
        shipped = translations.TS_DIR / made.name
        assert shipped.read_bytes() == made.read_bytes(), "run: scripts/translations.py release"


def test_the_system_locale_picks_the_language_unless_settings_say():
    chinese = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)

    assert choose_language("", chinese) == "zh_CN"
    assert choose_language("", english) == "en"
    assert choose_language("en", chinese) == "en"
    assert choose_language("zh_CN", english) == "zh_CN"


def test_a_chinese_desk_shows_chinese(qtbot, desk):
    app = QApplication.instance()
    installed = install_translators(app, "zh_CN")
    try:
        view = LoginView(desk)
        qtbot.addWidget(view)
        assert view.button.text() == "登录"
        assert QLocale().language() == QLocale.Language.Chinese
    finally:
        for translator in installed:
            app.removeTranslator(translator)
        QLocale.setDefault(QLocale("en"))
    assert resources_dir().joinpath("translations", "memberdesk_zh_CN.qm").exists()
