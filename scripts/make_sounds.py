"""Write the desk's sounds (resources/sounds/*.wav): short, distinct, unmistakable.

welcome: two rising notes. denied: two low buzzes. notice: one soft high note
(birthday, last visit, plan ending). Run again only to change them; the WAVs are
committed so the app needs nothing at run time.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
OUT = Path(__file__).resolve().parents[1] / "resources" / "sounds"


def tone(freq: float, ms: int, volume: float = 0.5, square: bool = False) -> list[float]:
    n = RATE * ms // 1000
    fade = max(1, RATE * 8 // 1000)
    out = []
    for i in range(n):
        s = math.sin(2 * math.pi * freq * i / RATE)
        if square:
            s = 0.6 if s >= 0 else -0.6
        envelope = min(1.0, i / fade, (n - i) / fade)
        out.append(volume * envelope * s)
    return out


def silence(ms: int) -> list[float]:
    return [0.0] * (RATE * ms // 1000)


def write(name: str, samples: list[float]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT / f"{name}.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


def main() -> None:
    write("welcome", tone(880, 110) + silence(30) + tone(1320, 160))
    write("denied", tone(220, 180, square=True) + silence(70) + tone(220, 260, square=True))
    write("notice", tone(1760, 140, volume=0.35))


if __name__ == "__main__":
    main()
