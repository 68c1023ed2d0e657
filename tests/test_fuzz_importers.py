"""Property-based fuzzing (issue 15) of every importer and of the segmenter, with hypothesis.

For any bytes in any supported format, an import either stores exactly the notes it reports or
raises the project's own errors (ImportFailed, ValidationError) and writes nothing: no other
exception, no partial write (rows counted before and after). The segmenter gives, for any note,
segments that are verbatim spans of it, in order. Examples and deadlines are bounded so the suite
stays fast; each example uses a fresh in-memory SQLite database (real SQLite, migrations applied).
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capture.errors import ImportFailed, ValidationError
from capture.importing import import_file
from capture.store import open_db

FUZZ = settings(max_examples=40, deadline=3000, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)
TABLES = ("event", "event_table", "note")

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
lines = st.lists(words, max_size=12)


def counts(db) -> tuple[int, ...]:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)


def check_import(data: bytes, filename: str) -> None:
    """Import into a fresh database: success adds what it says; failure is ours and writes nothing."""
    db = open_db(memory=True)
    try:
        before = counts(db)
        try:
            report = import_file(db, data, filename=filename, event="fuzz")
        except (ImportFailed, ValidationError) as exc:
            assert str(exc).strip(), "an error says what went wrong"
            assert "Traceback" not in str(exc) and " object at 0x" not in str(exc)
            assert counts(db) == before, "a failed import wrote something"
            return
        after = counts(db)
        assert after[2] - before[2] == report.added
        assert after[0] == before[0] + (1 if report.event_created else 0)
        again = import_file(db, data, filename=filename, event="fuzz")
        assert again.added == 0 and counts(db) == after, "re-importing the same file adds nothing"
    finally:
        db.conn.close()


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".md", ".csv", ".tsv", ".vtt", ".srt",
                                                  ".docx", ".xlsx"]))
def test_any_bytes_in_any_format(data, suffix):
    check_import(data, f"fuzz{suffix}")


@FUZZ
@given(lines, st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), st.booleans())
def test_text_and_markdown(paragraphs, encoding, markdown):
    text = "\n\n".join(paragraphs)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    check_import(data, "minutes.md" if markdown else "minutes.txt")


@FUZZ
@given(st.lists(st.lists(words, min_size=1, max_size=4), max_size=10),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_csv_exports(rows, delimiter, with_ids):
    header = ["Response ID", "Your comment", "Table"] if with_ids else ["Your comment", "Table"]
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for n, row in enumerate(rows):
        writer.writerow(([str(n % 5)] if with_ids else []) + row)
    check_import(out.getvalue().encode("utf-8"), "answers.csv")


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 7200), st.integers(0, 30), words, st.booleans()), max_size=8),
       st.booleans())
def test_captions(cues, srt):
    blocks = ["WEBVTT", ""] if not srt else []
    for n, (start, length, text, voiced) in enumerate(cues, start=1):
        a, b = start, start + length

        def clock(s: int, sep: str) -> str:
            return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{sep}000"

        sep = "," if srt else "."
        blocks += ([str(n)] if srt else []) + [f"{clock(a, sep)} --> {clock(b, sep)}",
                                               f"<v Ann Lee>{text}" if voiced else text, ""]
    check_import("\n".join(blocks).encode("utf-8"), "session.srt" if srt else "session.vtt")


@settings(max_examples=15, deadline=5000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.lists(st.one_of(words, st.integers(), st.floats(allow_nan=True), st.none()),
                         min_size=1, max_size=4), max_size=8))
def test_xlsx_workbooks(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Comment", "Table"])
    for row in rows:
        try:
            sheet.append(row)
        except (ValueError, openpyxl.utils.exceptions.IllegalCharacterError):
            continue  # openpyxl itself refuses to write control characters into a workbook
    out = io.BytesIO()
    book.save(out)
    check_import(out.getvalue(), "answers.xlsx")


@settings(max_examples=25, deadline=3000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["", "Heading1", "Title", "ListParagraph"]), words), max_size=10),
       st.booleans())
def test_docx_documents(paragraphs, damaged):
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f'<w:p>{f"<w:pPr><w:pStyle w:val={chr(34)}{style}{chr(34)}/></w:pPr>" if style else ""}'
        f'<w:r><w:t xml:space="preserve">{escape(_xml_chars(text))}</w:t></w:r></w:p>'
        for style, text in paragraphs)
    document = f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
    if damaged:
        document = document[: len(document) // 2]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", document)
    check_import(out.getvalue(), "minutes.docx")


def _xml_chars(text: str) -> str:
    # XML 1.0 cannot carry most control characters: a Word file never holds them.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


@pytest.fixture(scope="module")
def blank_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(st.text(min_size=1, max_size=800).filter(lambda t: t.strip()))
def test_segmenter_gives_verbatim_spans_in_order(blank_nlp, text):
    from capture.models import Note
    from synthesis.segment import segment_notes, spacy_docs
    from synthesis.settings import resolve

    note = Note(text=text, ref="n1", id=1)
    segments = segment_notes([note], spacy_docs(blank_nlp, [note]), resolve(None))
    assert segments, "every note gives at least one segment"
    previous_end = 0
    for seg in segments:
        assert 0 <= seg.start < seg.end <= len(text)
        assert seg.text == text[seg.start:seg.end]
        assert seg.start >= previous_end, "segments do not overlap and come in order"
        previous_end = seg.end
