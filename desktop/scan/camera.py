"""Webcam frames in, member codes out, without the GUI thread waiting on either.

    session (QMediaCaptureSession) ── camera (QCamera), or any QVideoFrameInput
        └─> sink (QVideoSink) ──frame──> latest-frame slot ──> decoder thread
                                                                   └─> code_found(str)
                                                                   └─> preview(QImage)

The sink hands over every frame; the decoder thread only ever takes the newest one
(older frames are dropped while it is busy, so a slow decode never builds a queue) and
runs ``decode_frame`` on it at most ``max_fps`` times a second. A code that stays in
view counts once (``SightingDebouncer``). Tests and benchmarks push real frames into the
same sink, so the path they measure is the one a camera drives.
"""

from __future__ import annotations

import threading
import time
from enum import StrEnum

from PIL import Image
from PySide6.QtCore import QObject, QSize, Qt, QThread, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)

from desktop.scan.debounce import SightingDebouncer
from desktop.scan.decode import DecoderBackend, decode_frame

PREVIEW_SIZE = QSize(640, 360)


class CameraState(StrEnum):
    OFF = "off"
    NO_CAMERA = "no_camera"
    ACTIVE = "active"
    ERROR = "error"


def camera_devices() -> list[QCameraDevice]:
    return list(QMediaDevices.videoInputs())


def qimage_to_pil_gray(image: QImage) -> Image.Image:
    """A grayscale PIL copy of ``image`` (what the decoder wants), without numpy."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())
    size = (gray.width(), gray.height())
    return Image.frombuffer("L", size, data, "raw", "L", gray.bytesPerLine(), 1)


class _DecoderThread(QThread):
    """Decodes the newest frame whenever there is one; emits through its owner."""

    def __init__(self, owner: CameraScanner) -> None:
        super().__init__()
        self._owner = owner
        self._wake = threading.Condition()
        self._frame: QVideoFrame | None = None
        self._stopping = False

    def offer(self, frame: QVideoFrame) -> None:
        with self._wake:
            self._frame = frame  # replaces any frame not yet taken
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self.wait()

    def run(self) -> None:
        next_at = 0.0
        while True:
            with self._wake:
                while self._frame is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                frame, self._frame = self._frame, None
            assert frame is not None
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at = time.monotonic() + 1.0 / self._owner.max_fps
            self._owner._process(frame)


class CameraScanner(QObject):
    """Owns the capture session; emits decoded member codes and preview images."""

    code_found = Signal(str)
    preview = Signal(QImage)
    state_changed = Signal(str)  # a CameraState value
    error_text = Signal(str)  # the camera's own message, for the log and status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = DecoderBackend.ZXING
        self.max_fps = 15.0
        self.debouncer = SightingDebouncer()
        self.session = QMediaCaptureSession(self)
        self.sink = QVideoSink(self)
        self.session.setVideoSink(self.sink)
        self.camera: QCamera | None = None
        self.state = CameraState.OFF
        self._latest_lock = threading.Lock()
        self._latest: QImage | None = None
        self._thread = _DecoderThread(self)
        # Direct: runs on whichever thread delivers the frame; only hands it over.
        self.sink.videoFrameChanged.connect(self._thread.offer, Qt.ConnectionType.DirectConnection)
        self._thread.start()

    def start(self, camera_id: str = "") -> CameraState:
        """Use the camera with ``camera_id`` (the default one when empty or unknown)."""
        self.stop_camera()
        devices = camera_devices()
        if not devices:
            return self._set_state(CameraState.NO_CAMERA)
        chosen = next((d for d in devices if device_id(d) == camera_id), None)
        device = chosen or QMediaDevices.defaultVideoInput()
        self.camera = QCamera(device, self)
        self.camera.errorOccurred.connect(self._on_camera_error)
        self.session.setCamera(self.camera)
        self.camera.start()
        return self._set_state(CameraState.ACTIVE)

    def stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.session.setCamera(None)  # type: ignore[arg-type]
            self.camera.deleteLater()
            self.camera = None
        self._set_state(CameraState.OFF)

    def latest_image(self) -> QImage | None:
        """The newest frame decoded (for an enrollment photo or a check-in snapshot)."""
        with self._latest_lock:
            return None if self._latest is None else self._latest.copy()

    def shutdown(self) -> None:
        self.stop_camera()
        self._thread.stop()

    # Internals below (``_process`` runs on the decoder thread).

    def _process(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if image.isNull():
            return
        with self._latest_lock:
            self._latest = image
        self.preview.emit(image.scaled(PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
        texts = decode_frame(qimage_to_pil_gray(image), backend=self.backend)
        now = time.monotonic()
        for text in texts:
            if self.debouncer.accept(text, now):
                self.code_found.emit(text)

    def _set_state(self, state: CameraState) -> CameraState:
        self.state = state
        self.state_changed.emit(str(state))
        return state

    def _on_camera_error(self, _error: QCamera.Error, message: str) -> None:
        self.error_text.emit(message)
        self._set_state(CameraState.ERROR)


def device_id(device: QCameraDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")
