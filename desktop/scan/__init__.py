"""Reading member-card QR codes from camera frames (the decoder here has no Qt in it)."""

from desktop.scan.decode import DecoderBackend, decode_frame

__all__ = ["DecoderBackend", "decode_frame"]
