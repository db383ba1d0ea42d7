"""What counts as a reference a stub or summary must keep (CTX012's trace side)."""

from __future__ import annotations

from ctxlint.trace.restorable import _kept, references


def test_urls_paths_and_ids_are_references_in_order():
    text = (
        "Fetched https://example.com/a?b=1. Saved to /tmp/x/page.html, see src/app.py; "
        '{"id": "doc_8f2c"}'
    )
    assert references(text) == (
        "https://example.com/a?b=1",
        "/tmp/x/page.html",
        "src/app.py",
        "doc_8f2c",
    )


def test_words_with_slashes_one_segment_paths_and_type_names_are_not():
    text = "Use and/or; wrote to /tmp; 3/4 done; id: string; type_id = str"
    assert references(text) == ()


def test_a_url_is_not_also_read_as_a_path():
    assert references("see https://docs.example.org/releases/4.2/notes.html") == (
        "https://docs.example.org/releases/4.2/notes.html",
    )


def test_a_path_is_kept_by_its_folder_and_file_name_but_a_url_only_whole():
    summary = "Edited assets/js/app.js; the release page was read."
    assert _kept("/home/u/site/assets/js/app.js", summary)
    assert not _kept("/home/u/site/assets/css/app.css", summary)
    assert not _kept("https://example.org/releases/4.2", "read releases/4.2")
