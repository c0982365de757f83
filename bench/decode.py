"""QR decode on webcam-like 1280x720 frames: found rate, wrong texts and time per frame.

Pinned to one core. Every frame (``bench.webcam_frames``: member cards and some UTF-8
Chinese texts, spoilt as a webcam spoils them) goes through each decoder in turn, so all
see the same machine:

* ``decode_frame`` as the terminal calls it (zxing-cpp, retries on unread symbols);
* ``zxing``: one plain zxing-cpp attempt limited to QR, no retries;
* ``pyzbar``: ``decode_frame`` with the pyzbar backend (zbar in binary mode);
* ``pyzbar_stock``: ``pyzbar.decode`` limited to QR, as its README shows it (zbar
  guesses the charset), to show what the binary mode is for.

Frames with no code are timed too: the decoder must spend less on them than on a code.

    python -m bench.decode [--quick] [--n N] [--seed S]

Last line: JSON with frames, found_rate, wrong, median_ms, p95_ms, fps (1000 / median),
empty_median_ms, code_median_ms, then <decoder>_found_rate, _median_ms and _wrong for
the others. ``wrong`` counts every text that is not the frame's payload, on any frame.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zxingcpp
from PIL import Image
from pyzbar import pyzbar  # type: ignore[import-untyped]

from bench.dataset import ms, percentile
from bench.webcam_frames import FRAME_SIZE, empty_frame, frame_set
from desktop.scan.decode import DecoderBackend, decode_frame

FULL_FRAMES = 500
QUICK_FRAMES = 40
EMPTY_EVERY = 5  # an empty frame is timed after every 5th frame with a code
WARM_UP = 3

QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)  # as "limited to QR" in the issue

Decoder = Callable[[Image.Image], list[str]]


def zxing_once(image: Image.Image) -> list[str]:
    gray = image.convert("L")
    return [code.text for code in zxingcpp.read_barcodes(gray, formats=QR)]


def pyzbar_stock(image: Image.Image) -> list[str]:
    found = pyzbar.decode(image.convert("L"), symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [symbol.data.decode("utf-8", "replace") for symbol in found]


DECODERS: dict[str, Decoder] = {
    "decode_frame": decode_frame,
    "zxing": zxing_once,
    "pyzbar": lambda image: decode_frame(image, DecoderBackend.PYZBAR),
    "pyzbar_stock": pyzbar_stock,
}


@dataclass
class Tally:
    """One decoder's results: seconds per code frame and per empty frame, hits, wrong texts."""

    code_s: list[float] = field(default_factory=list)
    empty_s: list[float] = field(default_factory=list)
    found: int = 0
    wrong: int = 0

    def add(self, decoder: Decoder, image: Image.Image, expected: str | None) -> None:
        started = time.perf_counter()
        texts = decoder(image)
        elapsed = time.perf_counter() - started
        (self.code_s if expected is not None else self.empty_s).append(elapsed)
        self.found += expected in texts
        self.wrong += sum(text != expected for text in texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small smoke run (CI)")
    parser.add_argument("--n", type=int, default=None, help="frames with a code")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cpu = pin_to_one_core()
    n = args.n or (QUICK_FRAMES if args.quick else FULL_FRAMES)
    tallies = run(n, args.seed)
    report = summarise(tallies, n, cpu)
    for name, tally in tallies.items():
        print(f"{name:>13}: found {tally.found}/{n}, {tally.wrong} wrong, {_medians(tally)}")
    print(json.dumps(report, ensure_ascii=False))


def pin_to_one_core() -> int | None:
    """Run on one CPU (the lowest this process may use); None where that is not possible."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def run(n: int, seed: int) -> dict[str, Tally]:
    """Every decoder on the same frames, frame by frame; frames are made as they are used."""
    tallies = {name: Tally() for name in DECODERS}
    rng = random.Random(seed + 1_000_003)
    for i, (image, payload) in enumerate(frame_set(n + WARM_UP, seed, FRAME_SIZE)):
        if i < WARM_UP:
            for decoder in DECODERS.values():
                decoder(image)
            continue
        for name, decoder in DECODERS.items():
            tallies[name].add(decoder, image, payload)
        if (i - WARM_UP) % EMPTY_EVERY == 0:
            empty = empty_frame(rng, FRAME_SIZE)
            for name, decoder in DECODERS.items():
                tallies[name].add(decoder, empty, None)
    return tallies


def summarise(tallies: dict[str, Tally], n: int, cpu: int | None) -> dict[str, object]:
    main_tally = tallies["decode_frame"]
    median_s = statistics.median(main_tally.code_s)
    report: dict[str, object] = {
        "frames": n,
        "empty_frames": len(main_tally.empty_s),
        "size": f"{FRAME_SIZE[0]}x{FRAME_SIZE[1]}",
        "cpu": cpu,
        "found_rate": round(main_tally.found / n, 4),
        "wrong": main_tally.wrong,
        "median_ms": ms(median_s),
        "p95_ms": ms(percentile(main_tally.code_s, 95)),
        "fps": round(1 / median_s, 1),
        "empty_median_ms": ms(statistics.median(main_tally.empty_s)),
        "code_median_ms": ms(median_s),
    }
    for name, tally in tallies.items():
        if name != "decode_frame":
            report[f"{name}_found_rate"] = round(tally.found / n, 4)
            report[f"{name}_median_ms"] = ms(statistics.median(tally.code_s))
            report[f"{name}_empty_median_ms"] = ms(statistics.median(tally.empty_s))
            report[f"{name}_wrong"] = tally.wrong
    return report


def _medians(tally: Tally) -> str:
    code, empty = statistics.median(tally.code_s), statistics.median(tally.empty_s)
    return f"median {ms(code)} ms a code frame, {ms(empty)} ms an empty one"


if __name__ == "__main__":
    main()
