"""Every bad input: a message naming the file (and line or row), exit 1, no traceback, nothing written."""

from __future__ import annotations

import shutil

import pytest
from conftest import FILES, SEEE, TRANSCRIPTS

from capture.store import open_db
from web.cli import cli

TABLES = ("event", "event_table", "note")


def counts(db_path) -> dict[str, int]:
    db = open_db(db_path)
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        db.conn.close()


@pytest.fixture
def seeded(runner, db_path):
    """A database that already holds one imported event, so 'nothing written' is not trivially true."""
    result = runner.invoke(cli, ["--db", str(db_path), "import", str(SEEE), "--event", "seee"])
    assert result.exit_code == 0, result.output
    return db_path


def run_import(runner, db_path, path, *args, event="new-event"):
    before = counts(db_path)
    result = runner.invoke(cli, ["--db", str(db_path), "import", str(path), "--event", event, *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert counts(db_path) == before, "a failed import must leave the database as it was"
    return result.output


@pytest.mark.parametrize("name, expected", [
    ("empty.txt", "Cannot import empty.txt: the file is empty"),
    ("blank-lines.md", "Cannot import blank-lines.md: the file is empty"),
    ("binary.txt", "Cannot import binary.txt: this is a binary file, not .txt text"),
    ("notes.pdf", "Cannot import notes.pdf: unknown format '.pdf' (copy the text into a .txt or .md file)"),
    ("invalid-encoding.txt", "Cannot import invalid-encoding.txt, line 5: invalid encoding: byte 0x81"),
    ("dup-id.csv", "Cannot import dup-id.csv, row 3: id 'A1' appears twice (also row 2)"),
    ("two-questions.csv", "Cannot import two-questions.csv: cannot tell which column holds the note "
                          "text (the columns are: 'Timestamp', 'What works?', 'What does not?')"),
    ("no-header-vtt.vtt", "Cannot import no-header-vtt.vtt, line 1: a WebVTT file must start with"),
    ("bad-timing.srt", "Cannot import bad-timing.srt, line 6: expected a cue timing line"),
])
def test_bad_file(runner, seeded, name, expected):
    output = run_import(runner, seeded, FILES / name)
    assert expected in output


def test_a_failing_file_into_an_existing_event_adds_nothing(runner, seeded):
    output = run_import(runner, seeded, FILES / "dup-id.csv", event="seee")
    assert "row 3" in output


def test_a_row_without_an_answer_is_skipped_and_named_the_others_imported(runner, seeded, tmp_path):
    """A respondent who left an optional question blank said nothing: no note, and the summary
    names the row (it used to refuse the whole export until the organiser deleted the row)."""
    result = runner.invoke(cli, ["--db", str(seeded), "import", str(FILES / "missing-text.csv"),
                                 "--event", "survey"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("missing-text.csv: 2 notes added, 1 row without an answer "
                                     "(row 3 (id 'A2')) -> event survey (created)")
    # A column empty in every row is still refused, with the reason.
    path = tmp_path / "unanswered.csv"
    path.write_text("id,comment\nA1,\nA2,\n", encoding="utf-8")
    output = run_import(runner, seeded, path)
    assert ("Cannot import unanswered.csv: there is a header row (row 1) but no rows of notes under it "
            "(the 'comment' column is empty in every row)") in output


def test_missing_column_lists_the_columns_that_exist(runner, seeded):
    output = run_import(runner, seeded, FILES / "missing-text.csv", "--text-column", "Comments")
    assert "Cannot import missing-text.csv: there is no column 'Comments'" in output
    assert "(the columns are: 'id', 'comment', 'table')" in output
    assert "Did you mean 'comment'?" in output
    assert "--text-column" in output


def test_misnamed_id_column(runner, seeded):
    output = run_import(runner, seeded, FILES / "mentimeter.csv", "--id-column", "Voter")
    assert "there is no column 'Voter'" in output and "'Voter ID'" in output


def test_file_over_the_size_limit(runner, seeded, tmp_path):
    big = tmp_path / "minutes.txt"
    big.write_bytes(b"The group felt funding was short.\n\n" * 40_000)  # about 1.4 MB
    output = run_import(runner, seeded, big, "--max-size", "1")
    assert "Cannot import minutes.txt: the file is 1.3 MB, over the 1 MB limit" in output
    assert "--max-size" in output


def test_default_size_limit_is_20_mb(db, tmp_path):
    from capture.errors import ImportFailed
    from capture.importing import DEFAULT_MAX_BYTES, import_file

    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(ImportFailed, match="over the 20 MB limit"):
        import_file(db, b"x" * (DEFAULT_MAX_BYTES + 1), filename="big.txt", event="big")


def test_file_that_does_not_exist(runner, seeded, tmp_path):
    output = run_import(runner, seeded, tmp_path / "nowhere.md")
    assert "nowhere.md: the file does not exist" in output


def test_damaged_docx_and_xlsx(runner, seeded, tmp_path):
    fake = tmp_path / "minutes.docx"
    fake.write_bytes(b"This is plain text saved with the wrong name.")
    assert "Cannot import minutes.docx: this is not a Word .docx file" in run_import(runner, seeded, fake)
    fake = tmp_path / "answers.xlsx"
    shutil.copy(FILES / "notes.pdf", fake)
    assert "Cannot import answers.xlsx: this is not an Excel .xlsx file" in run_import(runner, seeded, fake)
    # A real zip package of the other kind: a Word file renamed .xlsx, and the reverse.
    wrong = tmp_path / "renamed.xlsx"
    shutil.copy(TRANSCRIPTS / "community-anchors.docx", wrong)
    assert "renamed.xlsx: this .xlsx file could not be read" in run_import(runner, seeded, wrong)
    wrong = tmp_path / "renamed.docx"
    shutil.copy(TRANSCRIPTS / "funding-questions-slido.xlsx", wrong)
    output = run_import(runner, seeded, wrong)
    assert "could not be read (the file is not a Word file: its main part is xl/workbook.xml)" in output
    assert "object at 0x" not in output


def test_database_path_that_cannot_be_written(runner, tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    result = runner.invoke(cli, ["--db", str(not_a_folder / "harvest.db"), "import", str(SEEE),
                                 "--event", "seee"])
    assert result.exit_code == 1
    assert "Cannot open database" in result.output and "harvest.db" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "harvest.db").exists()


def test_read_only_database_leaves_it_unchanged(db_path):
    """A connection that cannot write (root ignores file modes, so use SQLite's read-only mode)."""
    import sqlite3

    from sqlite_utils import Database

    from capture.errors import ImportFailed
    from capture.importing import import_file

    before = counts(db_path)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    with pytest.raises(ImportFailed) as caught:
        import_file(Database(conn), SEEE, event="seee")
    conn.close()
    message = str(caught.value)
    assert message.startswith(
        "Cannot import seee-partnership-structures.txt: the database could not be written")
    assert str(db_path) in message and "readonly" in message
    assert counts(db_path) == before


def test_several_files_each_in_its_own_transaction(runner, db_path):
    result = runner.invoke(cli, ["--db", str(db_path), "import", str(FILES / "bom.txt"),
                                 str(FILES / "dup-id.csv"), str(FILES / "cp1252.txt"),
                                 "--event", "mixed"])
    assert result.exit_code == 1
    assert "bom.txt: 2 notes added" in result.output
    assert "cp1252.txt: 2 notes added" in result.output
    assert "Cannot import dup-id.csv, row 3" in result.output
    assert "1 of 3 files were not imported: " in result.output
    assert "Traceback" not in result.output
    assert counts(db_path)["note"] == 4


def test_invalid_event_slug(runner, seeded):
    output = run_import(runner, seeded, SEEE, event="Not A Slug")
    assert "Invalid event slug 'Not A Slug'" in output


def test_unquoted_separator_inside_an_answer(runner, seeded, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("id,comment\nA1,Funding\nA2,Short, flexible roles\n", encoding="utf-8")
    output = run_import(runner, seeded, path)
    assert "Cannot import answers.csv, row 3: this row has 3 cells but the header has 2" in output


def test_xlsx_with_a_damaged_sheet(runner, seeded, tmp_path):
    import zipfile

    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(TRANSCRIPTS / "funding-questions-slido.xlsx") as src, \
            zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut off mid-element
            dst.writestr(item, data)
    output = run_import(runner, seeded, damaged)
    assert "Cannot import damaged.xlsx: this .xlsx file could not be read" in output


def test_xlsx_with_no_rows_or_only_a_header(runner, seeded, tmp_path):
    import openpyxl

    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    output = run_import(runner, seeded, empty)
    assert "Cannot import empty.xlsx: there are no rows in this spreadsheet" in output
    header = tmp_path / "header.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Comment", "Name"])
    book.save(header)
    output = run_import(runner, seeded, header)
    assert "Cannot import header.xlsx: there is a header row (row 1) but no rows of notes under it" in output


def test_csv_in_neither_utf8_nor_cp1252_names_the_line(runner, seeded, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_bytes(b"comment\nFine\nCaf\xe9 \x81 closed\n")  # 0x81 has no meaning in Windows-1252
    output = run_import(runner, seeded, path)
    assert "Cannot import answers.csv, line 3: invalid encoding: byte 0x81" in output
    assert "Save the file as UTF-8" in output
