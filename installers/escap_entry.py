"""Entry point of the frozen ESCAP Desktop (both executables of the PyInstaller build)."""

from escap_desktop.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
