"""Markdown import through markdown-it-py: the constructs the old line-by-line regexes mis-read
(links whose address holds parentheses, code spans, entities, tables), and what stays the same."""

from __future__ import annotations

from capture.importing import import_file, parse_file
from capture.store import get_event, list_notes


def notes_of(markdown: str):
    return parse_file(markdown.encode("utf-8"), "notes.md").notes


def texts(markdown: str) -> list[str]:
    return [n.text for n in notes_of(markdown)]


def test_a_link_keeps_its_words_whatever_its_address_holds():
    assert texts("# Minutes\n\nSee [the council report](https://example.org/report_(2026).pdf) "
                 "and <https://example.org/a_(b)> first.\n") == [
        "See the council report and https://example.org/a_(b) first."]


def test_code_spans_keep_their_characters_and_emphasis_marks_go():
    assert texts("# Minutes\n\nThe form field `*name*` and `a_b_c` are **required**, said _everyone_.\n") == [
        "The form field *name* and a_b_c are required, said everyone."]


def test_entities_and_escapes_are_decoded():
    assert texts("# Minutes\n\nFood &amp; fuel costs rose &gt; 20% \\*this\\* year &mdash; again.\n") == [
        "Food & fuel costs rose > 20% *this* year — again."]


def test_each_table_row_is_a_note_with_its_headers():
    notes = notes_of("# Ideas\n\n| Table | Idea |\n|---|---|\n| 1 | Longer *grants* |\n"
                     "| 2 | Pay volunteers' expenses |\n\nAfter the table.\n")
    assert [n.text for n in notes] == ["Table: 1; Idea: Longer grants",
                                       "Table: 2; Idea: Pay volunteers' expenses", "After the table."]
    assert [n.location for n in notes] == ["line 5", "line 6", "line 8"]


def test_a_table_row_is_never_a_speaker_turn():
    notes = notes_of("# Ideas\n\n| Idea |\n|---|\n| Priya: longer grants |\n")
    assert [(n.text, n.author) for n in notes] == [("Idea: Priya: longer grants", None)]


def test_images_comments_fences_and_rules_are_not_notes():
    assert texts("# Minutes\n\n![a photo](p.png)\n\n<!-- draft -->\n\n```\ncode\n```\n\n---\n\nKept.\n") == [
        "Kept."]


def test_lists_turns_quotes_and_loose_bullets():
    notes = notes_of("# Minutes\n\n## Table 2\n\nPriya Shah: We need core funding.\nIt pays the rent.\n\n"
                     "- First item\n  wrapped on.\n- Second item\n\n> A quoted remark.\n\n"
                     "• Pasted bullet one\n• Pasted bullet two\n")
    assert [(n.text, n.table, n.author) for n in notes] == [
        ("We need core funding. It pays the rent.", "Table 2", "Priya Shah"),
        ("First item wrapped on.", "Table 2", "Priya Shah"),
        ("Second item", "Table 2", "Priya Shah"),
        ("A quoted remark.", "Table 2", "Priya Shah"),
        ("Pasted bullet one", "Table 2", "Priya Shah"),
        ("Pasted bullet two", "Table 2", "Priya Shah"),
    ]


def test_front_matter_title_and_line_numbers_of_the_file(db, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\ntitle: Rural transport\n---\n\nBuses are rare.\n\n    Indented, not code.\n",
                    encoding="utf-8")
    parsed = parse_file(path.read_bytes(), path.name)
    assert parsed.title == "Rural transport"
    assert [(n.text, n.location) for n in parsed.notes] == [("Buses are rare.", "line 5"),
                                                            ("Indented, not code.", "line 7")]
    import_file(db, path, event="rural")
    stored = list_notes(db, get_event(db, "rural"))
    assert [n.text for n in stored] == ["Buses are rare.", "Indented, not code."]
