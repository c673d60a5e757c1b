"""The README's contents list follows its headings, and its example-systems table names every example folder."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from offline.stackfile import EXAMPLES_DIR, PROJECT_DIR

README = PROJECT_DIR / "README.md"


def _contents_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_contents", PROJECT_DIR / "scripts" / "readme_contents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_contents_list_is_the_headings_of_the_readme() -> None:
    script = _contents_script()
    text = README.read_text()
    assert script.with_contents(text) == text, "stale contents: run python3 scripts/readme_contents.py"
    assert "- [Example systems](#example-systems)" in text


def test_a_new_heading_makes_the_contents_stale_and_regenerating_lists_it() -> None:
    script = _contents_script()
    text = README.read_text() + "\n## Brand new, section (v2)\n\n```sh\n## not a heading\n```\n"
    regenerated = script.with_contents(text)
    assert regenerated != text
    assert "- [Brand new, section (v2)](#brand-new-section-v2)" in regenerated
    assert "not a heading" not in regenerated.split("<!-- /contents -->")[0]


def test_the_example_systems_table_names_every_example_and_its_readme() -> None:
    section = README.read_text().split("## Example systems", 1)[1].split("\n## ", 1)[0]
    systems = sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir())
    assert systems == ["arive", "candlefish", "openclaw", "petforce", "troubleshooter"]
    for system in systems:
        assert f"examples/{system}/" in section
        assert (EXAMPLES_DIR / system / "README.md").is_file(), f"examples/{system} has no README"
