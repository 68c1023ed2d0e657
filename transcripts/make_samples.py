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

BOARD_TITLE = "Fenland Community Transport Trust"
BOARD_BODY = [
    ("Normal", "Minutes of the Board of Trustees meeting held on Tuesday 14 October 2025 at 6.30pm, "
               "Wisbech Baptist Church Hall, Alexandra Road, Wisbech"),
    ("Normal", "Present: Margaret Oduya (Chair), Keith Barnard (Treasurer), Dr Sunita Rao, Gareth Pryce, "
               "Linda Marsh"),
    ("Normal", "In attendance: Colin Fairweather (Chief Officer), Hannah Webb (Finance and Office "
               "Manager, minutes)"),
    ("Normal", "Apologies: [REDACTED], Peter Tilney"),
    ("Heading 2", "1. Welcome, apologies and declarations of interest"),
    ("Normal", "The Chair welcomed everyone and noted apologies as above. Gareth Pryce declared an "
               "interest in item 6 as a volunteer driver coordinator for the Dial-a-Ride scheme and left "
               "the room for that item."),
    ("Heading 2", "2. Minutes of the last meeting (8 July 2025)"),
    ("Normal", "The minutes of the meeting held on 8 July 2025 were approved as a true and accurate "
               "record and signed by the Chair."),
    ("Heading 2", "3. Matters arising"),
    ("Normal", "Action 4 from July (insurance renewal quotes): completed. The new policy with Ansvar "
               "starts on 1 November at a premium 11% higher than last year."),
    ("Normal", "The safeguarding policy review is still outstanding and will come to the January meeting."),
    ("Heading 2", "4. Chief Officer's report"),
    ("Normal", "Colin reported that passenger journeys were up 9% on the same quarter last year, mostly "
               "hospital trips to the Queen Elizabeth in King's Lynn and to Addenbrooke's. Demand now "
               "outstrips the number of volunteer drivers we have on most weekdays, and we turned down 63 "
               "journey requests in September."),
    ("Normal", "Volunteer recruitment remains the biggest risk. Most of our drivers are over 70 and four "
               "have stepped down since the summer, two for health reasons. Younger retirees are still "
               "working or caring for grandchildren, and the mileage rate of 45p has not kept up with "
               "fuel costs."),
    ("Normal", "Trustees discussed whether to pay a small number of sessional drivers. Linda felt this "
               "would change the culture of the organisation and might put off volunteers who give their "
               "time freely; Keith pointed out that other schemes in the county now use a mix of paid and "
               "volunteer drivers without losing volunteers."),
    ("Heading 2", "5. Finance"),
    ("Normal", "Keith presented the management accounts to 30 September. Income is £12,400 behind budget "
               "because the county council's community transport grant was paid late; it has now been "
               "received."),
    ("Normal", "Reserves stand at just under four months of running costs against a policy of six months. "
               "The board agreed that the reserves policy should be reviewed rather than assuming it can "
               "be met from the current funding mix."),
    ("Normal", "The ICB's offer of a one-year contract for non-emergency patient transport was discussed. "
               "The rate offered does not cover the full cost of a journey once vehicle depreciation and "
               "staff time for bookings are included, and trustees were concerned about taking on a "
               "contract that would need to be subsidised from unrestricted funds."),
    ("Heading 2", "6. Dial-a-Ride minibus replacement"),
    ("Normal", "The second minibus failed its MOT in August and the repair quote is £4,800. Colin has "
               "applied to the Rural Community Energy Fund and the Masonic Charitable Foundation for a "
               "replacement vehicle; a decision is expected in December."),
    ("Normal", "The board agreed to spend up to £5,000 from designated funds on the repair so the "
               "Thursday market service can continue."),
    ("Heading 2", "7. Any other business"),
    ("Normal", "Sunita raised the lack of accessible bus stops on the new Sutton Road estate; Colin will "
               "raise this with the parish council."),
    ("Heading 2", "8. Date of next meeting"),
    ("Normal", "Tuesday 13 January 2026, 6.30pm, Wisbech Baptist Church Hall."),
    ("Normal", "Actions"),
    ("List Bullet", "Colin to draft a paper on paid sessional drivers for the January meeting."),
    ("List Bullet", "Keith and Hannah to bring a revised reserves policy to the January meeting."),
    ("List Bullet", "Colin to reply to the ICB by 31 October declining the contract at the rate offered "
                    "and asking for a meeting."),
    ("List Bullet", "Hannah to circulate the safeguarding policy to trustees two weeks before the meeting."),
    ("Normal", "Signed (Chair) ........................   Date ................"),
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


def make_docx(path: Path, title: str = DOCX_TITLE, body: list = DOCX_BODY,
              created: dt.datetime = dt.datetime(2026, 1, 20, 12, 0)) -> None:
    """A .docx sample: a title, then (style, text) paragraphs: headings, paragraphs, bullets."""
    import docx

    document = docx.Document()
    document.add_paragraph(title, style="Title")
    for style, text in body:
        document.add_paragraph(text, style=style)
    document.core_properties.created = created
    document.save(path)


def make_board_docx(path: Path) -> None:
    """The board minutes sample: attendance, apologies, numbered agenda items, actions."""
    make_docx(path, BOARD_TITLE, BOARD_BODY, dt.datetime(2025, 10, 15, 9, 0))


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


SURVEY_HEADER = ["Timestamp", "Which best describes your organisation?", "How many paid staff do you have?",
                 "What is the biggest challenge your organisation faces in the next 12 months?",
                 "What should the network do more of?", "Is there anything else you would like to tell us?"]
# A members' survey exported from Google Forms: every question required, so people who had
# nothing to say wrote "n/a", "-" or "see above".
SURVEY_ROWS = [
    ("Charity (registered)", "6-20",
     "Core funding. Our main grant ends in March and the replacement fund only pays for new projects.",
     "Funding bulletins that are actually filtered for our area",
     "Thank you for the safeguarding training last year, it was excellent."),
    ("Community group (unregistered)", "0",
     "finding volunteers who will take on the treasurer role",
     "Help with governance - we dont know what we are supposed to have in place",
     "n/a"),
    ("CIC", "1-5",
     "Rent on our building has gone up 40% and the landlord wants a five year lease we cannot commit to.",
     "Lobby the district council on community asset transfer, they keep saying no",
     "-"),
    ("Charity (registered)", "21-50",
     "Recruiting and keeping staff. Support workers can earn more stacking shelves and we cant match it on "
     "contract rates that havent gone up in four years.",
     "Bring commissioners into the room. Meetings where only the sector talks to itself dont change "
     "anything.",
     "We would pay a higher membership fee if it bought real influence with the ICB."),
    ("Faith group", "0",
     "Our volunteers are getting older and nobody is coming through behind them",
     "More networking events in Wisbech not just Ely and Cambridge",
     "No"),
    ("Social enterprise", "1-5",
     "cash flow!! invoices to the council take 60 days to be paid",
     "Peer support for small social enterprises",
     "see above"),
    ("Charity (registered)", "6-20",
     "Demand. We have had a 30% rise in referrals for food parcels since the autumn and the same number "
     "of volunteers.",
     "Share data on need across the area so we can make the case together",
     "Our trustees would welcome a session on reserves policies."),
    ("Community group (unregistered)", "0",
     "Insurance costs for our village hall events",
     "A directory of who does what. I only found out about the befriending scheme in the next village "
     "by accident",
     "Nothing else, thanks"),
    ("Charity (registered)", "1-5",
     "Digital - our website is out of date and no one has the skills to update it",
     "Training on digital and social media 🙏",
     "n/a"),
    ("CIO", "6-20",
     "The cost of DBS checks and the time they take. New volunteers give up waiting.",
     "Speak up for the sector in the local plan consultation",
     "Great to have a network that listens, keep it up."),
    ("Charity (registered)", "21-50",
     "Commissioning. The council wants one provider for the whole county and small local groups will "
     "be pushed out or become subcontractors on bad terms.",
     "Help us form consortia before the tenders come out, not after",
     "The last consortium bid fell apart because no one was paid to coordinate it."),
    ("Community group (unregistered)", "0",
     "Getting a bank account! Three months and still waiting",
     "n/a",
     "-"),
    ("Faith group", "1-5",
     "Energy bills for the church hall, which is used by six community groups during the week.",
     "Funding fairs",
     "No thank you"),
    ("Social enterprise", "6-20",
     "Being taken seriously by the NHS as a provider rather than a volunteer add-on.",
     "Bring commissioners into the room",
     "n/a"),
]


def make_survey_xlsx(path: Path) -> None:
    """The survey sample: a Google Forms export with three free-text questions (one column each)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form responses 1"
    sheet.append(SURVEY_HEADER)
    for i, row in enumerate(SURVEY_ROWS):
        sheet.append([dt.datetime(2026, 2, 2 + i // 5, 9 + i % 8, 7 * i % 60), *row])
    book.properties.created = dt.datetime(2026, 2, 20, 12, 0)
    book.save(path)


if __name__ == "__main__":
    make_docx(HERE / "community-anchors.docx")
    make_xlsx(HERE / "funding-questions-slido.xlsx")
    make_board_docx(HERE / "trustee-board-minutes.docx")
    make_survey_xlsx(HERE / "members-survey-google-forms.xlsx")
    print("Wrote community-anchors.docx, funding-questions-slido.xlsx, trustee-board-minutes.docx and "
          "members-survey-google-forms.xlsx")
