"""A member's new computer brought into the team from the ESCAP page (issue 18): the nurse
selects the GP, presses « Nouvel ordinateur… », confirms, and reads out the code the page shows;
typed on the GP's new computer, it brings the team's file there. Real stores, a real in-process
relay, the real page (pytest-qt, offscreen)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from escap_desktop.core.clock import FrozenClock
from escap_desktop.ui.invitations.received_invitations_dialog import ReceivedInvitationsDialog
from escap_relay.schema import team_members
from tests.sync.conftest import MemberFactory, Relay, _relay, member_factory
from tests.sync.team import make_member
from tests.sync.test_sync_admins import (
    _bodies,
    _device,
    _nurse_led_team,
    replace_the_only_administrators_laptop,
)
from tests.ui.escap_page_driver import open_page
from tests.ui.typing import answer_next_box, type_text

LEFT = Qt.MouseButton.LeftButton


def _members(relay: Relay, team_id: str) -> set[str]:
    with relay.app.state.relay.engine.connect() as connection:
        return set(
            connection.scalars(
                select(team_members.c.device_id).where(team_members.c.team_id == team_id)
            )
        )


@pytest.fixture
def relay(tmp_path: Path, clock: FrozenClock) -> Iterator[Relay]:
    yield from _relay(f"sqlite:///{tmp_path / 'relay.db'}", clock)


@pytest.fixture
def members(tmp_path: Path, relay: Relay, clock: FrozenClock) -> Iterator[MemberFactory]:
    yield from member_factory(tmp_path, relay, clock)


def test_the_team_tab_gives_a_code_that_brings_a_members_new_computer_in(
    qtbot: QtBot, members: MemberFactory, relay: Relay, tmp_path: Path, clock: FrozenClock
) -> None:
    nurse, gp, _physio, escap = _nurse_led_team(members)
    gp.practice.messages.post(escap.id, "Bilan gériatrique fait ce matin.")
    gp.cycle()
    nurse.cycle()
    (tmp_path / "nouveau-poste").mkdir()
    new_pc = make_member("gp", tmp_path / "nouveau-poste", relay.url, relay.transport, clock=clock)
    try:
        new_pc.cycle()
        page = open_page(qtbot, nurse.practice, escap.id)
        panel = page.view.members
        gp_on_nurse = next(
            p for p in nurse.practice.professionals.list() if p.identifier == gp.me.identifier
        )
        assert panel.select_professional(gp_on_nurse.id)
        assert panel.computer_button.isEnabled()
        question = answer_next_box("Créer le code et retirer l'ancien")
        qtbot.mouseClick(panel.computer_button, LEFT)
        qtbot.waitUntil(lambda: bool(question))
        assert "jamais par courriel" in question[0]
        qtbot.waitUntil(panel.code_label.isVisible)
        shown = panel.code_label.text()
        assert shown.startswith("Code pour le nouvel ordinateur de ")
        assert "L'ancien sera retiré de l'équipe" in shown
        found = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", shown)
        assert found is not None

        # The GP types the code she was read on her new computer, in its « Invitations
        # reçues » dialog, which says what it is: this computer, for a team she is in.
        nurse.cycle()
        new_pc.cycle()
        dialog = ReceivedInvitationsDialog(
            new_pc.sync.pending_invitations,
            new_pc.sync.accept_invitation,
            new_pc.sync.decline_invitation,
        )
        qtbot.addWidget(dialog)
        assert dialog.model.index(0, 2).data() == "ce nouvel ordinateur (vous êtes déjà membre)"
        type_text(dialog.code, found.group(0))
        question = answer_next_box("Ajouter cet ordinateur à l'équipe")
        qtbot.mouseClick(dialog.accept_button, LEFT)
        assert "Vous en êtes déjà membre" in question[0]
        assert dialog.error.text() == ""
        assert not new_pc.sync.pending_invitations()
        for member in (new_pc, nurse, new_pc, new_pc):
            member.cycle()
        assert "Bilan gériatrique fait ce matin." in _bodies(new_pc, escap)
        # The stolen laptop is out of the team, and the keys were renewed without it.
        assert _device(gp) not in _members(relay, escap.team_id)
        assert _device(new_pc) in _members(relay, escap.team_id)
        nurse.practice.messages.post(escap.id, "Après le vol : rendez-vous jeudi.")
        for member in (nurse, new_pc, gp):
            member.cycle()
        assert "Après le vol : rendez-vous jeudi." in _bodies(new_pc, escap)
        assert "Après le vol : rendez-vous jeudi." not in _bodies(gp, escap)
        assert gp.repo_call(lambda repo: repo.team(escap.team_id).state) == "removed"
    finally:
        new_pc.practice.close()


def test_an_invited_member_has_no_new_computer_to_add(qtbot: QtBot, members: MemberFactory) -> None:
    nurse, _gp, _physio, escap = _nurse_led_team(members)
    dietitian = nurse.colleague("dietitian")
    nurse.practice.escaps.invite(escap.id, dietitian.id, "Nutrition")
    page = open_page(qtbot, nurse.practice, escap.id)
    panel = page.view.members
    assert panel.select_professional(dietitian.id)
    assert not panel.computer_button.isEnabled()


def test_her_new_computer_retires_the_stolen_laptop_from_the_team_tab(
    qtbot: QtBot, members: MemberFactory, relay: Relay, tmp_path: Path, clock: FrozenClock
) -> None:
    """The médecin traitant's new computer, named administrator by her colleagues' devices,
    cuts her stolen laptop off from the team tab: her own line, « Nouvel ordinateur… »,
    « Retirer mes autres ordinateurs »."""
    gp, nurse, _physio, escap, new_pc = replace_the_only_administrators_laptop(
        members, relay, tmp_path, clock
    )
    try:
        page = open_page(qtbot, new_pc.practice, escap.id)
        panel = page.view.members
        assert panel.select_professional(new_pc.me.id)
        question = answer_next_box("Retirer mes autres ordinateurs")
        qtbot.mouseClick(panel.computer_button, LEFT)
        qtbot.waitUntil(lambda: bool(question))
        assert "l'écarte de l'équipe" in question[0]
        qtbot.waitUntil(panel.code_label.isVisible)
        assert panel.code_label.text().startswith("L'autre ordinateur de ")
        assert panel.code_label.text().endswith("renouvelées sans lui.")
        if os.environ.get("ESCAP_SCREENSHOTS"):
            page.view.grab().save(os.environ["ESCAP_SCREENSHOTS"])
        assert new_pc.cycle().key_rotations == 1
        assert _device(gp) not in _members(relay, escap.team_id)
        new_pc.practice.messages.post(escap.id, "Après le vol : visite à domicile lundi.")
        for member in (new_pc, nurse, gp):
            member.cycle()
        assert "Après le vol : visite à domicile lundi." in _bodies(nurse, escap)
        assert "Après le vol : visite à domicile lundi." not in _bodies(gp, escap)
    finally:
        new_pc.practice.close()
