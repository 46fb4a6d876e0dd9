"""The twistd plugin is found in the installed package and documents its options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# The console script a user runs, from the same environment as the tests.
TWISTD = str(Path(sys.executable).parent / "twistd")


def test_twistd_lists_orbitpg_options() -> None:
    completed = subprocess.run(
        [TWISTD, "orbitpg", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    for option in (
        "--port=",
        "--interface=",
        "--data-dir=",
        "--max-message-size=",
        "[default: 5433]",
        "./orbitpg-data",
    ):
        assert option in completed.stdout


def test_twistd_help_names_the_plugin() -> None:
    completed = subprocess.run([TWISTD, "--help"], capture_output=True, text=True, timeout=60)
    assert "orbitpg" in completed.stdout
