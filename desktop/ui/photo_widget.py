"""A square member photo: loaded from the blob store in a worker, or a placeholder.

The placeholder shows the member's initial (the surname of a Chinese name, the
initials of a Latin one) or, with no name either, a silhouette.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktop.store.blobs import BlobStore
from desktop.ui.context import DeskContext

__all__ = ["PhotoWidget", "initials", "square_image"]

_T = TypeVar("_T")
_BACKGROUND = QColor("#dfe3e8")
_FOREGROUND = QColor("#8a94a3")


def initials(name: str) -> str:
    """What the placeholder shows: ``张三`` -> ``张``, ``Ann Lee`` -> ``AL``."""
    words = name.split()
    if not words:
        return ""
    if words[0][0].isascii():
        return "".join(w[0] for w in words[:2]).upper()
    return words[0][0]


def square_image(image: QImage, side: int) -> QImage:
    """The centre square of ``image`` scaled to ``side`` pixels (thread-safe: QImage only)."""
    if image.isNull() or side <= 0:
        return QImage()
    edge = min(image.width(), image.height())
    x = (image.width() - edge) // 2
    y = (image.height() - edge) // 2
    cropped = image.copy(QRect(x, y, edge, edge))
    return cropped.scaled(
        side,
        side,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _load_blob(blobs: BlobStore, ref: str, side: int) -> QImage:
    image = QImage.fromData(blobs.get(ref))
    return square_image(image, side)


class PhotoWidget(QLabel):
    """Shows a member's photo at ``size`` x ``size`` logical pixels."""

    photo_shown = Signal(bool)  # True: a photo is shown; False: the placeholder

    def __init__(self, ctx: DeskContext, size: int = 160, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._side = size
        self._seq = 0
        self._name = ""
        self._ref: str | None = None
        self._has_photo = False
        self.setFixedSize(QSize(size, size))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName(self.tr("Member photo"))
        self._show_placeholder()

    @property
    def has_photo(self) -> bool:
        return self._has_photo

    @property
    def photo_ref(self) -> str | None:
        return self._ref

    def show_member(self, ref: str | None, name: str = "") -> None:
        """Show the blob ``ref`` (loaded in a worker); the placeholder until then or if None."""
        self._seq += 1
        self._name = name
        self._ref = ref
        self._show_placeholder()
        if not ref:
            self.photo_shown.emit(False)
            return
        seq, blobs, side = self._seq, self._ctx.blobs, self._pixels()
        self._ctx.lanes.reads.run(
            lambda: _load_blob(blobs, ref, side),
            self._guard(lambda image: self._loaded(seq, image)),
            self._guard(lambda exc: self._failed(seq, exc)),
        )

    def show_image(self, image: QImage | None, name: str = "") -> None:
        """Show an image held in memory (a photo not saved yet); None for the placeholder."""
        self._seq += 1
        self._name = name
        self._ref = None
        if image is None or image.isNull():
            self._show_placeholder()
            self.photo_shown.emit(False)
            return
        self._show(square_image(image, self._pixels()))

    def set_name(self, name: str) -> None:
        """Change the initials on the placeholder (a photo, if shown, stays)."""
        self._name = name
        if not self._has_photo:
            self._show_placeholder()

    # Internals below.

    def _pixels(self) -> int:
        return max(1, round(self._side * self.devicePixelRatioF()))

    def _loaded(self, seq: int, image: QImage) -> None:
        if seq != self._seq:
            return
        if image.isNull():
            self.setToolTip(self.tr("The photo could not be read."))
            self.photo_shown.emit(False)
            return
        self._show(image)

    def _failed(self, seq: int, exc: Exception) -> None:
        if seq == self._seq:
            self.setToolTip(self._ctx.error_message(exc))
            self.photo_shown.emit(False)

    def _show(self, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.setPixmap(pixmap)
        self.setToolTip("")
        self._has_photo = True
        self.photo_shown.emit(True)

    def _show_placeholder(self) -> None:
        self._has_photo = False
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self._pixels(), self._pixels())
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(_BACKGROUND)
        painter = QPainter(pixmap)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            side = float(self._side)
            text = initials(self._name)
            if text:
                font = QFont(self.font())
                font.setPixelSize(max(8, int(side * (0.45 if len(text) == 1 else 0.36))))
                painter.setFont(font)
                painter.setPen(_FOREGROUND)
                painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, text)
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(_FOREGROUND)
                head = side * 0.36
                painter.drawEllipse(QRectF((side - head) / 2, side * 0.18, head, head))
                body = QPainterPath()
                body.addEllipse(QRectF(side * 0.18, side * 0.58, side * 0.64, side * 0.6))
                painter.drawPath(body)
        finally:
            painter.end()
        self.setPixmap(pixmap)

    def _guard(self, fn: Callable[[_T], object]) -> Callable[[_T], None]:
        def call(value: _T) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call
