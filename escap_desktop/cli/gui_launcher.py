"""Starts the GUI (imported lazily so headless subcommands never load Qt)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from escap_desktop.ui.app import run_gui

    return run_gui(data_dir=args.data_dir, demo=args.demo)
