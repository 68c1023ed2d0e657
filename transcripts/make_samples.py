"""Write the binary samples (.docx and .xlsx) from the text below: `python transcripts/make_samples.py`.

The generated files are committed too, so the demo and tests need not run this; it is kept so
the samples can be read, reviewed and changed as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent

DOCX_TITLE = "Community anchors and the cost of convening"
DOCX_BODY = [
    ("Normal", "Notes of the Cambridgeshire community anchors round table, 20 January 2026, "
               "held at Ely Community Hub."),
    ("Heading 1", "Table 1: Who pays for partnership working?"),
    ("Normal", "Everyone agreed that partnership working is now expected by every funder, but "
               "none of them pays for the coordination. One anchor organisation estimated that a "
               "day a week of its chief officer's time goes on convening other groups."),
    ("Normal", "The group felt that the informal networks built during the pandemic are fading "
               "because nobody is funded to keep them going."),
    ("List Bullet", "A small convening fund, held by the community foundation, was proposed."),
    ("List Bullet", "Councils could fund anchors to host local VCSE forums as part of their "
                    "neighbourhood working."),
    ("Heading 1", "Table 2: Relationships with the NHS"),
    ("Normal", "The integrated care board talks about working with the voluntary sector, but the "
               "contracts still go to large national providers with the capacity to bid."),
    ("Normal", "Rachel Dunmore, Director of Fenland Community Action: We are invited to every "
               "engagement event and then left out of the procurement. Social prescribing "
               "referrals have doubled with no extra money following the patient."),
    ("Normal", "She added that small groups carry the risk when referrals arrive without funding, "
               "and that the ICB should pay a fee per referral."),
    ("Heading 1", "Table 3: Trust between large and small organisations"),
    ("Normal", "Smaller groups described being used as names on a bid and then receiving little "
               "of the money. Larger charities said they carry the contract risk and the "
               "compliance costs."),
    ("Normal", "Both sides wanted a shared partnership agreement template with fair terms on "
               "management fees, referrals and data, agreed before any tender."),
]

SLIDO_ROWS = [
    ("How can small charities get core funding rather than project grants?", "Anonymous", 23,
     "Funding"),
    ("Will the council use the new Procurement Act to talk to providers before tenders?",
     "Lena Fischer", 17, "Commissioning"),
    ("Why does every funder want a different monitoring form for the same outcomes?", "Anonymous",
     15, "Funding"),
    ("Can grants be multi-year by default, with light-touch reporting?", "Sam Reid", 14, "Funding"),
    ("How do we count the social value of volunteers' time in a contract?", "Anonymous", 11,
     "Social value"),
    ("What happens to local groups when a national prime contractor wins the bid?", "Owen Price", 9,
     "Commissioning"),
    ("Is there funding for the time it takes to build a consortium?", "Anonymous", 8,
     "Partnerships"),
    ("Could the community foundation pool money from several funders into one application?",
     "Anonymous", 6, "Funding"),
]


def make_docx(path: Path) -> None:
    """The .docx sample: a title, headings per table, paragraphs, bullets and a speaker turn."""
    import docx

    document = docx.Document()
    document.add_paragraph(DOCX_TITLE, style="Title")
    for style, text in DOCX_BODY:
        document.add_paragraph(text, style=style)
    document.core_properties.created = dt.datetime(2026, 1, 20, 12, 0)
    document.save(path)


def make_xlsx(path: Path) -> None:
    """The .xlsx sample: a Slido-style Q&A export with a title row above the header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Questions"
    sheet.append(["Slido Q&A export: Funding the sector, Norfolk VCSE Assembly 2026"])
    sheet.append([])
    sheet.append(["Question", "Author", "Votes", "Labels", "Date"])
    for i, (question, author, votes, label) in enumerate(SLIDO_ROWS):
        sheet.append([question, author, votes, label, dt.datetime(2026, 3, 12, 11, 5 + i)])
    book.properties.created = dt.datetime(2026, 3, 12, 12, 0)
    book.save(path)


if __name__ == "__main__":
    make_docx(HERE / "community-anchors.docx")
    make_xlsx(HERE / "funding-questions-slido.xlsx")
    print("Wrote community-anchors.docx and funding-questions-slido.xlsx")
