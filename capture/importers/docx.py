"""Word .docx documents: headings by paragraph style, then the same rules as plain text.

The document part is streamed with lxml's iterparse rather than loaded with python-docx: python-docx
looks up each paragraph's style through the whole styles part (a 30 KB file of 291,000 empty
paragraphs took 61 s of CPU), and holds the whole tree. Here the style names are read once, each
body paragraph is read and then freed, and the package's size and paragraph count are capped
(see `capture.importers.package`). Like python-docx's `Document.paragraphs`, only the body's own
paragraphs count (not those inside tables or text boxes).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from capture.importers.base import ImportedNotes, ImportOptions, ParseError, clean
from capture.importers.package import Budget, budget_for, open_package
from capture.importers.turns import Block, notes_from_blocks, split_turn_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
KIND = "Word .docx"
# Run children that stand for characters (as python-docx's Run.text reads them).
_CHARACTERS = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _style_kind(style_name: str) -> tuple[str, int]:
    name = (style_name or "").lower()
    if name == "title":
        return "title", 0
    if name.startswith("heading"):
        digits = "".join(c for c in name if c.isdigit())
        return "heading", int(digits) if digits else 1
    if name.startswith("list") or "bullet" in name:
        return "item", 0
    return "para", 0


def _parser_args() -> dict:
    # No entities, no network, no huge trees: the XML comes from whoever sent the file.
    return {"resolve_entities": False, "no_network": True, "huge_tree": False}


def _document_part(package: zipfile.ZipFile) -> str:
    """The main document's name in the package (word/document.xml unless the relationships say)."""
    try:
        with package.open("_rels/.rels") as rels:
            for _, rel in etree.iterparse(rels, tag=f"{REL}Relationship", **_parser_args()):
                if rel.get("Type") == OFFICE_DOCUMENT:
                    return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    except (KeyError, etree.XMLSyntaxError):
        pass
    return "word/document.xml"


def _style_names(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Paragraph style id -> name ('Heading1' -> 'heading 1'), read once from the styles part."""
    name = posixpath.join(posixpath.dirname(part), "styles.xml")
    names: dict[str, str] = {}
    try:
        with package.open(name) as styles:
            for _, style in etree.iterparse(styles, tag=f"{W}style", **_parser_args()):
                title = style.find(f"{W}name")
                if style.get(f"{W}styleId") and title is not None:
                    names[style.get(f"{W}styleId")] = title.get(f"{W}val", "")
                style.clear()
    except KeyError:
        pass  # a document without a styles part: every paragraph is plain
    return names


def _paragraph(p, styles: dict[str, str]) -> tuple[str, str]:
    """A body paragraph's text (runs and hyperlinked runs, as python-docx reads it) and style name."""
    style = p.find(f"{W}pPr/{W}pStyle")
    style_name = styles.get(style.get(f"{W}val", ""), "") if style is not None else ""
    pieces: list[str] = []
    for run in p.iterchildren(f"{W}r", f"{W}hyperlink"):
        for r in ([run] if run.tag == f"{W}r" else run.iterchildren(f"{W}r")):
            for child in r:
                if child.tag == f"{W}t":
                    pieces.append(child.text or "")
                elif child.tag == f"{W}br":
                    pieces.append("\n" if child.get(f"{W}type") in (None, "textWrapping") else "")
                else:
                    pieces.append(_CHARACTERS.get(child.tag, ""))
    return "".join(pieces), style_name


def _blocks(package: zipfile.ZipFile, budget: Budget) -> list[Block]:
    part = _document_part(package)
    styles = _style_names(package, part)
    blocks: list[Block] = []
    paragraphs = 0
    number = 0
    try:
        stream = package.open(part)
    except KeyError:
        raise ParseError(f"this {KIND} file has no document part ({part}). Open it in Word or "
                         "LibreOffice and save it again.") from None
    with stream:
        for event, elem in etree.iterparse(stream, events=("start", "end"), **_parser_args()):
            if event == "start":
                if elem.getparent() is None and elem.tag != f"{W}document":
                    raise ParseError(f"this {KIND} file could not be read (the file is not a Word "
                                     f"file: its main part is {part}). Check you chose the right file.")
                continue
            if elem.tag == f"{W}p":
                paragraphs += 1
                if paragraphs > budget.paragraphs:
                    raise ParseError(f"this {KIND} file has more than {budget.paragraphs:,} paragraphs "
                                     "(minutes have a few hundred). Split it into several documents.")
            parent = elem.getparent()
            if parent is None or parent.tag != f"{W}body":
                continue
            if elem.tag == f"{W}p":
                number += 1
                text, style_name = _paragraph(elem, styles)
                _add_paragraph(blocks, text.replace("\v", "\n"), style_name, number)
            # Free what has been read: the tree never holds more than one body element.
            elem.clear()
            while elem.getprevious() is not None:
                del parent[0]
    return blocks


def _add_paragraph(blocks: list[Block], text: str, style_name: str, number: int) -> None:
    if not text.strip():
        return
    kind, level = _style_kind(style_name)
    if kind in ("title", "heading"):
        blocks.append(Block(kind, clean(text.replace("\n", " ")), level=level, line=number))
        return
    for group in split_turn_lines(text.split("\n")):
        blocks.append(Block(kind, clean(" ".join(group)), line=number))


def parse_docx(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a Word document into notes: one per paragraph, list item or speaker turn."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError("this is not a Word .docx file (an old .doc? Open it in Word or LibreOffice "
                         "and save it as .docx)")
    package = open_package(data, KIND, budget_for(options.max_bytes))
    try:
        blocks = _blocks(package, budget_for(options.max_bytes))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"this {KIND} file could not be read (its XML is damaged: {exc.msg}). "
                         "Open it in Word or LibreOffice and save it again.") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ParseError(f"this {KIND} file is damaged ({exc}). Open it in Word or LibreOffice "
                         "and save it again.") from None
    finally:
        package.close()
    return notes_from_blocks(blocks, default_table=options.table, unit="paragraph")

