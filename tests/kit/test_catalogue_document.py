"""docs/requirements.md is the catalogue as a document, generated from requirements.toml."""

from __future__ import annotations

from pathlib import Path

from fixtures.catalogue import catalogue_markdown, load_catalogue

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "requirements.md"


def test_the_document_is_the_catalogue():
    assert DOCUMENT.read_text(encoding="utf-8") == catalogue_markdown(), \
        "docs/requirements.md differs from fixtures/data/requirements.toml: run " \
        "`python -m fixtures.catalogue > docs/requirements.md`"


def test_the_session_and_idp_text_requirements_are_in_it():
    catalogue = load_catalogue()
    for requirement_id in ("RP-22", "RP-23", "RP-24", "RP-25", "RP-26"):
        assert requirement_id in catalogue
        assert f"| {requirement_id} |" in DOCUMENT.read_text(encoding="utf-8")
    assert "fresh `nonce` per attempt" in catalogue["RP-04"].title


def test_the_readme_counts_the_catalogue_right():
    readme = (DOCUMENT.parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"{len(load_catalogue())} requirements" in readme
