"""Announcements made with the real espeak-ng and sox: the WAV rtpengine will play."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from siaga112.adapters.media.announcements import (
    DEFAULT_ANNOUNCEMENTS,
    AnnouncementError,
    ensure_announcements,
    make_announcement,
)

SHORT = [("id", "Tekan lima lima."), ("en", "Press five five.")]


def samples(path: Path) -> tuple:
    with wave.open(str(path)) as w:
        return w.getparams(), np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_every_default_announcement_is_speech_at_8khz(tmp_path):
    made = ensure_announcements(tmp_path / "prompts")
    assert set(made) == {"screening", "nuisance_warning", "not_emergency_waiting"}
    for name, path in made.items():
        assert path == tmp_path / "prompts" / f"{name}.wav"
        params, pcm = samples(path)
        assert (params.framerate, params.nchannels, params.sampwidth) == (8000, 1, 2)
        assert params.nframes / 8000 > 2.0, name
        assert np.sqrt(np.mean(pcm.astype(float) ** 2)) > 300, f"{name} is silent"
    for parts in DEFAULT_ANNOUNCEMENTS.values():
        assert [voice for voice, _ in parts] == ["id", "en"]  # Indonesian first


def test_parts_are_joined_with_a_half_second_pause(tmp_path):
    one = make_announcement(tmp_path / "one.wav", SHORT[:1])
    both = make_announcement(tmp_path / "both.wav", SHORT)
    _, first = samples(one)
    _, joined = samples(both)
    frames = joined[:len(joined) // 160 * 160].reshape(-1, 160)
    quiet = np.abs(frames).max(axis=1) < 30  # 20 ms frames with (almost) nothing in them
    longest = max(len(run) for run in "".join("q" if q else "." for q in quiet).split("."))
    assert longest * 0.02 >= 0.5  # espeak-ng's own trailing silence comes on top
    assert len(joined) > len(first) + 0.5 * 8000


def test_made_once_and_remade_only_when_the_text_changes(tmp_path):
    path = make_announcement(tmp_path / "a.wav", SHORT)
    first = path.stat().st_mtime_ns
    sidecar = tmp_path / "a.wav.txt"
    assert "Tekan lima lima." in sidecar.read_text("utf-8")

    assert make_announcement(tmp_path / "a.wav", SHORT) == path
    assert path.stat().st_mtime_ns == first
    again = ensure_announcements(tmp_path, texts={"a": SHORT})
    assert again == {"a": path} and path.stat().st_mtime_ns == first

    make_announcement(path, [("id", "Tekan lima lima sekarang."), ("en", "Press five five.")])
    assert path.stat().st_mtime_ns != first
    assert "sekarang" in sidecar.read_text("utf-8")

    path.unlink()  # a lost file is made again even though the sidecar still matches
    make_announcement(path, [("id", "Tekan lima lima sekarang."), ("en", "Press five five.")])
    assert path.is_file()


def test_missing_tools_give_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(AnnouncementError, match="espeak-ng not found"):
        make_announcement(tmp_path / "a.wav", SHORT)
    assert not (tmp_path / "a.wav").exists()


def test_missing_sox_gives_a_clear_error(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "espeak-ng").symlink_to("/usr/bin/espeak-ng")
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(AnnouncementError, match="sox not found"):
        make_announcement(tmp_path / "a.wav", SHORT)


def test_a_failing_tool_reports_its_stderr(tmp_path):
    with pytest.raises(AnnouncementError, match="espeak-ng.*voice does not exist"):
        make_announcement(tmp_path / "a.wav", [("xx-nonexistent", "halo")])
    assert not (tmp_path / "a.wav").exists() and not (tmp_path / "a.wav.txt").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left behind
