#!/usr/bin/env python3
"""Set-up and run in one step, on a fresh machine with nothing but Python 3.11+.

    python3 dev.py chat      # console chat on the shipped faq/ and ./admissionsbot.sqlite3
    python3 dev.py test      # the whole test suite: ruff, mypy, then pytest
    python3 dev.py test ARGS # pytest ARGS only (e.g. one test file)
    python3 dev.py lint      # ruff and mypy only
    python3 dev.py ARGS...   # any other `admissionsbot` command, e.g. `faq check`, `queue list`

The first run creates ./.venv and installs the project with its test extras;
later runs reinstall only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"admissionsbot needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists() and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("Creating .venv ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing admissionsbot and its test tools into .venv ...", file=sys.stderr)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["-e", f"{ROOT}[test]"], check=True)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def lint() -> int:
    """ruff (configured in pyproject.toml) and mypy (default mode, on src/); non-zero when either finds anything."""
    for tool in (["ruff", "check", "src", "tests", "benchmarks", "tools", "dev.py"], ["mypy"]):
        print(f"$ {' '.join(tool)}", file=sys.stderr, flush=True)
        code = subprocess.call([str(PYTHON), "-m", *tool])
        if code:
            print(f"{tool[0]} failed (exit {code}); fix what it lists, then run the tests again.", file=sys.stderr)
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_env()
    os.chdir(ROOT)
    if argv[0] == "lint":
        return lint()
    if argv[0] == "test":
        if len(argv) == 1:  # the whole suite: the linters first, as CI runs them
            code = lint()
            if code:
                return code
        return subprocess.call([str(PYTHON), "-m", "pytest", *argv[1:]])
    return subprocess.call([str(PYTHON), "-m", "admissionsbot", *argv])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as exc:
        sys.exit(f"Set-up failed ({' '.join(map(str, exc.cmd))} exited {exc.returncode}).")
    except KeyboardInterrupt:
        sys.exit(130)
