"""A member's QR card: preview, print, save as PNG or PDF.

The card is rendered in a worker (``desktop.cards``); printing paints that image at the
physical card size (ID-1, 85.60 x 53.98 mm) at the top left of the page, also in a
worker (QPainter may paint on a QPrinter off the GUI thread). Saving goes through the
worker too; every failure is shown in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import shiboken6
from PIL import Image
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cards import CARD_HEIGHT_MM, CARD_WIDTH_MM, CardFace, render_card
from desktop.cards import save_card_pdf as _save_pdf
from desktop.cards import save_card_png as _save_png
from desktop.terminal import Terminal
from desktop.ui.context import DeskContext

__all__ = ["CardDialog", "PrinterUnavailable", "card_face", "paint_card", "pil_to_qimage"]

PREVIEW_WIDTH: Final = 428  # 5 px per mm
RENDER_DPI: Final = 300
_MM_PER_INCH: Final = 25.4
_ERROR_STYLE = "color: #c0392b;"
_T = TypeVar("_T")


def card_face(
    terminal: Terminal, member_id: str, title: str, payload: str | None = None
) -> CardFace:
    """What the member's current card shows (reads the database: run in a worker)."""
    profile = terminal.members.profile(member_id)
    text = payload if payload is not None else terminal.members.card_payload(member_id)
    return CardFace(
        name=profile.name,
        member_no=profile.member_no,
        branch_name=terminal.branch_name(),
        payload=text,
        title=title,
    )


def pil_to_qimage(image: Image.Image) -> QImage:
    """An independent QImage copy of a PIL image (safe in any thread)."""
    rgb = image.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    width, height = rgb.size
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def paint_card(printer: QPrinter, image: QImage) -> None:
    """Paint the card at its real size at the top left of the printable area."""
    resolution = printer.resolution()
    width = CARD_WIDTH_MM / _MM_PER_INCH * resolution
    height = CARD_HEIGHT_MM / _MM_PER_INCH * resolution
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterUnavailable()
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(0, 0, width, height), image)
    finally:
        painter.end()


class PrinterUnavailable(Exception):
    """The printer (or the file it prints to) could not be opened."""


@dataclass(frozen=True)
class _Rendered:
    face: CardFace
    preview: QImage


class CardDialog(QDialog):
    """The card of ``member_id`` (its current QR card, or ``payload`` if given)."""

    rendered = Signal()  # the preview is shown: print and save are possible
    saved = Signal(str)  # a file was written (its path)
    printed = Signal()
    failed = Signal(str)  # a person's sentence

    def __init__(
        self,
        ctx: DeskContext,
        member_id: str,
        parent: QWidget | None = None,
        *,
        payload: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._member_id = member_id
        self._face: CardFace | None = None
        self._image: QImage | None = None
        self._busy = False
        self._printer: QPrinter | None = None  # kept alive while a worker prints
        self.setObjectName("card_dialog")
        self.setWindowTitle(self.tr("Member card"))

        self.preview = QLabel(self.tr("Drawing the card…"), self)
        self.preview.setObjectName("card_preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(
            QSize(PREVIEW_WIDTH, round(PREVIEW_WIDTH * CARD_HEIGHT_MM / CARD_WIDTH_MM))
        )
        self.status = QLabel(self)
        self.status.setObjectName("card_status")
        self.status.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Print… (Ctrl+P)"), self)
        self.print_button.clicked.connect(lambda: self.print_card())
        self.png_button = QPushButton(self.tr("Save PNG… (Ctrl+S)"), self)
        self.png_button.clicked.connect(lambda: self.save_png())
        self.pdf_button = QPushButton(self.tr("Save PDF… (Ctrl+Shift+S)"), self)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        for button in (self.print_button, self.png_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        QShortcut(QKeySequence("Ctrl+P"), self, lambda: self.print_card())
        QShortcut(QKeySequence("Ctrl+S"), self, lambda: self.save_png())
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, lambda: self.save_pdf())
        self._update_buttons()

        terminal, title = ctx.terminal, self.tr("Member card")

        def render() -> _Rendered:
            face = card_face(terminal, member_id, title, payload)
            return _Rendered(face, pil_to_qimage(render_card(face, RENDER_DPI)))

        ctx.lanes.reads.run(render, self._guard(self._rendered), self._guard(self._render_failed))

    # Public API.

    @property
    def face(self) -> CardFace | None:
        """What the card shows, once rendered."""
        return self._face

    @property
    def is_ready(self) -> bool:
        return self._face is not None

    def print_card(self, printer: QPrinter | None = None) -> None:
        """Print the card; without ``printer`` the print dialog asks where and how."""
        if self._image is None or self._busy:
            return
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setDocName(self.tr("Member card {member_no}").format(member_no=self._no()))
            ask = QPrintDialog(printer, self)
            if ask.exec() != QDialog.DialogCode.Accepted:
                return
        self._printer = printer
        image = self._image
        self._run(
            lambda: paint_card(printer, image),
            self.tr("Card sent to the printer."),
            lambda _none: self.printed.emit(),
        )

    def save_png(self, path: Path | None = None) -> None:
        if self._face is None or self._busy:
            return
        target = path or self._ask_path(
            self.tr("Save the card as PNG"), "png", self.tr("PNG image")
        )
        if target is not None:
            face = self._face
            self._save(lambda: _save_png(face, target, RENDER_DPI), target)

    def save_pdf(self, path: Path | None = None) -> None:
        if self._face is None or self._busy:
            return
        target = path or self._ask_path(self.tr("Save the card as PDF"), "pdf", self.tr("PDF"))
        if target is not None:
            face = self._face
            self._save(lambda: _save_pdf(face, target, RENDER_DPI), target)

    # Internals below.

    def _no(self) -> str:
        return self._face.member_no if self._face is not None else ""

    def _ask_path(self, caption: str, suffix: str, kind: str) -> Path | None:
        name = f"{self._no() or 'card'}.{suffix}"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, caption, str(Path.home() / name), f"{kind} (*.{suffix})"
        )
        if not chosen:
            return None
        path = Path(chosen)
        return (
            path if path.suffix.lower() == f".{suffix}" else path.with_name(f"{path.name}.{suffix}")
        )

    def _save(self, write: Callable[[], None], target: Path) -> None:
        self._run(
            write,
            self.tr("Saved to {path}").format(path=str(target)),
            lambda _none: self.saved.emit(str(target)),
        )

    def _run(self, job: Callable[[], None], done_text: str, done: Callable[[None], None]) -> None:
        self._busy = True
        self._update_buttons()
        self._show_status(self.tr("Working…"))

        def finished(result: None) -> None:
            self._busy = False
            self._printer = None
            self._update_buttons()
            self._show_status(done_text)
            done(result)

        def failed(exc: Exception) -> None:
            self._busy = False
            self._printer = None
            self._update_buttons()
            self._show_error(exc)

        self._ctx.lanes.reads.run(job, self._guard(finished), self._guard(failed))

    def _rendered(self, result: _Rendered) -> None:
        self._face = result.face
        self._image = result.preview
        pixmap = QPixmap.fromImage(
            result.preview.scaledToWidth(
                round(PREVIEW_WIDTH * self.devicePixelRatioF()),
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.preview.setPixmap(pixmap)
        self.setWindowTitle(
            self.tr("Member card {member_no} · {name}").format(
                member_no=result.face.member_no, name=result.face.name
            )
        )
        self._update_buttons()
        self.rendered.emit()

    def _render_failed(self, exc: Exception) -> None:
        self.preview.setText(self.tr("The card could not be drawn."))
        self._show_error(exc)

    def _show_status(self, text: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(text)

    def _show_error(self, exc: Exception) -> None:
        if isinstance(exc, PrinterUnavailable):
            message = self.tr("The printer could not be started.")
        elif isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            message = self.tr("The file could not be written: {reason}").format(reason=reason)
        else:
            message = self._ctx.error_message(exc)
        self.status.setStyleSheet(_ERROR_STYLE)
        self.status.setText(message)
        self.failed.emit(message)

    def _update_buttons(self) -> None:
        ready = self._face is not None and not self._busy
        for button in (self.print_button, self.png_button, self.pdf_button):
            button.setEnabled(ready)

    def _guard(self, fn: Callable[[_T], object]) -> Callable[[_T], None]:
        def call(value: _T) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call
