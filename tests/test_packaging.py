"""An installed quizdl (a wheel, no source tree) finds its bundled decks."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_bundled_decks(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("quizdl-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    shipped = {Path(name).name for name in names if name.startswith("quizdl/bundled_decks/")}
    # The decks, and the lint allow-list that sits beside them (quizdl decks lint).
    decks = {path.name for path in (REPO / "decks").glob("*.yaml")}
    assert shipped == decks | {"lint-allow.txt"}
    # Run from the unpacked wheel only: the decks must come from inside it.
    code = (
        "from quizdl.decks.bundled import bundled_deck_paths\n"
        "print('\\n'.join(str(p) for p in bundled_deck_paths()))\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r})\n" + code,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    paths = result.stdout.split()
    assert paths and all(
        p.startswith(str(tmp_path / "site" / "quizdl" / "bundled_decks")) for p in paths
    )
