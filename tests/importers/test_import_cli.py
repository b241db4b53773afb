"""The import command itself: dry runs, JSON output, forced formats, hostile text."""

from __future__ import annotations

import json
import time
from pathlib import Path

from importers.conftest import Run

from quizdl.importers import ImportOptions, read_source


def test_dry_run_stores_nothing(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "cards.csv"
    path.write_text("front,back\nWhat is a GRU?,A gated RNN\n", encoding="utf-8")
    dry = run("import", str(path), "--dry-run")
    assert dry.exit_code == 0
    assert "Would import 'cards': 1 new" in dry.stdout and "nothing stored" in dry.stdout
    listing = json.loads(run("decks", "list", "--json").stdout)
    assert "cards" not in {deck["id"] for deck in listing}


def test_json_output_lists_changes_and_skips(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "q.md"
    path.write_text("Q: Kept?\nA: Yes\n\nQ: Empty?\nA:\n", encoding="utf-8")
    result = json.loads(run("import", str(path), "--json").stdout)
    assert result["format"] == "markdown" and len(result["new"]) == 1
    assert result["skipped"][0]["where"] == "line 4"


def test_forced_format_overrides_detection(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "list.txt"
    path.write_text("## What is attention?\n\nWeighted mixing of values.\n", encoding="utf-8")
    assert "as markdown" in run("import", str(path), "--dry-run").stdout
    forced = run("import", str(path), "--dry-run", "--format", "csv")
    assert forced.exit_code == 2 and "no cards found" in forced.stderr


def test_pathological_markup_stays_fast(tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_text("front,back\n" + "Q?," + "<a " * 100_000 + "\n", encoding="utf-8")
    start = time.perf_counter()
    read_source(path, ImportOptions())
    assert time.perf_counter() - start < 5


def test_markdown_opening_with_a_link_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "README"
    path.write_text(
        "[![CI](https://x.org/b.svg)](https://x.org)\n\n## What is a VAE?\n\nAn autoencoder "
        "with a latent distribution.\n",
        encoding="utf-8",
    )
    assert read_source(path, ImportOptions()).format == "markdown"


def test_the_documented_limits_are_the_enforced_ones(run: Run) -> None:
    from quizdl.decks.loader import MAX_FILE_BYTES
    from quizdl.importers.refuse import MAX_CARDS, MAX_SOURCE_BYTES
    from quizdl.media import MAX_MEDIA_BYTES, MAX_MEDIA_TOTAL_BYTES

    text = " ".join(run("import", "--help").stdout.split())
    assert f"{MAX_CARDS:,} cards" in text
    assert f"a text file {MAX_FILE_BYTES // 2**20} MiB" in text
    assert f"a package {MAX_SOURCE_BYTES // 2**20} MiB" in text
    assert f"one image or sound {MAX_MEDIA_BYTES // 2**20} MiB" in text
    assert f"{MAX_MEDIA_TOTAL_BYTES // 2**20} MiB of media in all" in text
