"""Announcements played to callers (rtpengine's `play media`), made from text at install
time: espeak-ng says each part in its language, sox makes it 8 kHz mono 16-bit, parts are
joined with half a second of pause into one WAV.

Idempotent: a sidecar `<name>.wav.txt` holds the recipe (voices, texts, settings); the WAV
is rebuilt only when that changes, so an upgrade that rewords a text renews its file and
nothing else is touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PAUSE_S = 0.5
WORDS_PER_MINUTE = 150  # a bit slower than espeak-ng's 175: callers may be in distress
_RECIPE_VERSION = 1  # bump when the way files are made changes: every file is remade

DEFAULT_ANNOUNCEMENTS: dict[str, list[tuple[str, str]]] = {
    "screening": [
        ("id", "Jika Anda membutuhkan bantuan, tekan lima lima, atau bicaralah sekarang."),
        ("en", "If you need help, press five five, or speak now."),
    ],
    "nuisance_warning": [
        ("id", "Saluran ini hanya untuk keadaan darurat. Panggilan yang bukan keadaan "
               "darurat dapat direkam dan ditindaklanjuti. Jika Anda membutuhkan bantuan, "
               "jangan tutup telepon Anda."),
        ("en", "This line is for emergencies only. Calls that are not emergencies may be "
               "recorded and followed up. If you need help, stay on the line."),
    ],
    "not_emergency_waiting": [
        ("id", "Jika panggilan Anda bukan keadaan darurat, silakan hubungi layanan "
               "informasi pemerintah kota. Jika ini keadaan darurat, jangan tutup telepon "
               "Anda. Urutan antrean Anda tetap terjaga."),
        ("en", "If your call is not an emergency, please call the city's information "
               "line. If it is an emergency, stay on the line. Your place in the queue "
               "is kept."),
    ],
}


class AnnouncementError(RuntimeError):
    """espeak-ng or sox is missing or failed; the message carries the tool's stderr."""


def _recipe(parts: list[tuple[str, str]]) -> str:
    return json.dumps({"version": _RECIPE_VERSION, "wpm": WORDS_PER_MINUTE,
                       "pause_s": PAUSE_S, "parts": [list(p) for p in parts]},
                      ensure_ascii=False, indent=1) + "\n"


def _run(tool: str, args: list[str], *, text: str | None = None) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise AnnouncementError(f"{tool} not found on PATH: install the Debian package "
                                f"{'espeak-ng' if tool == 'espeak-ng' else 'sox'}")
    try:
        done = subprocess.run([exe, *args], input=None if text is None else text.encode(),
                              capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AnnouncementError(f"{tool} failed: {exc}") from exc
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise AnnouncementError(f"{tool} failed (exit {done.returncode}): {stderr}")
    if tool == "espeak-ng" and stderr:  # e.g. an unknown voice: exit 0 and no audio
        raise AnnouncementError(f"espeak-ng failed: {stderr}")


def make_announcement(path: Path, parts: list[tuple[str, str]]) -> Path:
    """One WAV (8 kHz, mono, 16-bit) saying each (espeak-ng voice, text) part in turn."""
    if not parts:
        raise ValueError("an announcement needs at least one part")
    path = Path(path)
    sidecar = path.with_name(path.name + ".txt")
    recipe = _recipe(parts)
    if path.is_file() and sidecar.is_file() and sidecar.read_text("utf-8") == recipe:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".announcement-", dir=path.parent) as tmp:
        pieces = []
        for n, (voice, text) in enumerate(parts):
            spoken, piece = Path(tmp) / f"{n}-espeak.wav", Path(tmp) / f"{n}.wav"
            # text on stdin: a text that starts with "-" is not taken for an option
            _run("espeak-ng", ["-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(spoken),
                               "--stdin"], text=text)
            pad = ["pad", "0", str(PAUSE_S)] if n < len(parts) - 1 else []
            # -G: sox lowers the gain where resampling would clip
            _run("sox", ["-G", str(spoken), "-r", "8000", "-c", "1", "-b", "16",
                         "-e", "signed-integer", str(piece), *pad])
            pieces.append(str(piece))
        joined = Path(tmp) / "joined.wav"
        _run("sox", [*pieces, str(joined)])  # several inputs: sox concatenates them
        os.replace(joined, path)  # whole file or the old one: never half a WAV
    sidecar_tmp = sidecar.with_name(sidecar.name + ".tmp")
    sidecar_tmp.write_text(recipe, "utf-8")
    os.replace(sidecar_tmp, sidecar)  # written last: a crash before it means a rebuild
    return path


def ensure_announcements(folder: Path, *,
                         texts: dict[str, list[tuple[str, str]]] | None = None
                         ) -> dict[str, Path]:
    """Every announcement as `<folder>/<name>.wav`, made or remade as needed."""
    texts = DEFAULT_ANNOUNCEMENTS if texts is None else texts
    return {name: make_announcement(Path(folder) / f"{name}.wav", parts)
            for name, parts in texts.items()}
