"""The progress line of long commands, as a script's log or a terminal shows it."""

from __future__ import annotations

import io

from escap_desktop.cli.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_each_line_stands_alone_with_the_time_left() -> None:
    log = io.StringIO()
    progress = ProgressLine(log, every_seconds=0)
    progress.update(1, 4, "Import des patients")
    progress.update(4, 4, "Import des patients")
    progress.finish()
    lines = log.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(" 25 % — Import des patients — reste environ ")
    assert lines[0].endswith(" s") or lines[0].endswith(" min")
    assert lines[1] == "100 % — Import des patients"
    assert "\r" not in log.getvalue()


def test_on_a_terminal_the_line_is_rewritten_in_place_and_ends_with_a_newline() -> None:
    screen = Terminal()
    progress = ProgressLine(screen)
    progress.update(1, 2, "Sauvegarde")
    progress.update(2, 2, "Sauvegarde")
    progress.finish()
    text = screen.getvalue()
    assert text.count("\r") == 2
    assert text.endswith("\n")
    assert text.rstrip().endswith("100 % — Sauvegarde")


def test_no_time_left_is_guessed_before_any_progress() -> None:
    log = io.StringIO()
    ProgressLine(log, every_seconds=0).update(0, 4, "Lecture du fichier")
    assert log.getvalue() == "  0 % — Lecture du fichier\n"
