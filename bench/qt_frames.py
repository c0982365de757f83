"""Turning the synthetic PIL frames into what a camera hands Qt: QImage / QVideoFrame."""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame


def pil_to_qimage(image: Image.Image) -> QImage:
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    qimage = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    return qimage.copy()  # own the pixels: ``data`` goes away


def pil_to_video_frame(image: Image.Image) -> QVideoFrame:
    return QVideoFrame(pil_to_qimage(image).convertToFormat(QImage.Format.Format_RGBX8888))
