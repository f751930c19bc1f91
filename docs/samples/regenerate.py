"""Regenerate the sample monthly reviews in docs/samples/ from the demo organisation.

    python docs/samples/regenerate.py

Seeds the demo organisation (seed 7, history ending 2026-10) into a throw-away SQLite database, exports
each sample with the real `payoff review` command, and renders every sample PDF's pages to PNG with
`pdftoppm` (Debian's poppler-utils) when it is installed.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MONTH = "2026-10"
SAMPLES = [
    # file stem, subject options, viewer, formats
    (
        "person-marco.park",
        ["--person", "marco.park@acme.example"],
        "marco.park@acme.example",
        ["pdf", "html", "md", "csv"],
    ),
    ("person-vera.kim-managers-copy", ["--person", "vera.kim@acme.example"], "olga.ito@acme.example", ["pdf"]),
    ("team-infra", ["--team", "Infra"], "elena.becker@acme.example", ["pdf", "html", "md", "csv"]),
    ("organisation", ["--org"], "lena.dubois@acme.example", ["pdf", "html", "md", "csv"]),
]


def payoff(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", "from payoff.app.cli import main; main()", *args], env=env, check=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PAYOFF_DATABASE_URL": f"sqlite:///{folder}/demo.db"}
        payoff("seed-demo", "--seed", "7", "--end", MONTH, env=env)
        for old in HERE.glob(f"*-{MONTH}*"):
            old.unlink()
        for stem, subject, viewer, formats in SAMPLES:
            for fmt in formats:
                out = HERE / f"{stem}-{MONTH}.{fmt}"
                payoff("review", "--month", MONTH, *subject, "--as", viewer, "--out", str(out), env=env)
                if fmt == "pdf" and shutil.which("pdftoppm"):
                    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out), str(out.with_suffix(""))], check=True)


if __name__ == "__main__":
    main()
