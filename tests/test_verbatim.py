"""What a digest calls verbatim is the notes' words (the walk-through's F10): a draft whose quotes
were changed is refused when saved and when published, naming the passage; the template's own
Markdown passes, also redacted under the Chatham House Rule and with shortened quotes."""

from __future__ import annotations

import pytest
from publishing_data import make_result, seed_event, store_result
from redaction_events import minutes_event
from web_helpers import csrf, login, text

from capture.errors import ValidationError
from web.publish.drafts import get_draft, save_draft, template_markdown
from web.publish.publishing import publish
from web.publish.verbatim import quoted_passages, unverified_quotes

NOTES = ["Rents in the town centre have gone up by a third in two years.",
         "Landlords are selling up, and the waiting list has doubled since 2024."]

DRAFT = """# Housing forum

An introduction the organiser wrote, with "quotation marks" of their own.

### 1. Rents

In the notes' words: \u201cRents in the town centre have gone up by a third in two years.\u201d
(Table 1, note 1)

> Landlords are selling up, and the waiting list has doubled since 2024.
> \u2014 *Table 1, note 2*

> Landlords are selling up ... since 2024.
> \u2014 *note 2*
"""


def test_quoted_passages_are_the_block_quotes_and_the_notes_words_without_citations():
    assert quoted_passages(DRAFT) == [
        "Rents in the town centre have gone up by a third in two years.",
        "Landlords are selling up, and the waiting list has doubled since 2024.",
        "Landlords are selling up ... since 2024."]
    assert unverified_quotes(DRAFT, NOTES) == []


def test_a_changed_word_in_a_quote_or_a_summary_sentence_is_found():
    changed = DRAFT.replace("gone up by a third", "doubled").replace("waiting list has", "list has")
    assert unverified_quotes(changed, NOTES) == [
        "Rents in the town centre have doubled in two years.",
        "Landlords are selling up, and the list has doubled since 2024."]
    shortened_wrongly = DRAFT.replace("selling up ... since", "selling up ... before")
    assert unverified_quotes(shortened_wrongly, NOTES) == ["Landlords are selling up ... before 2024."]
    # Markdown escapes and entities are read as the page shows them.
    escaped = "> Rents \\(in the town centre\\) &amp; more\n> \u2014 *note 1*\n"
    assert unverified_quotes(escaped, ["Rents (in the town centre) & more, said one."]) == []
    # A redacted quote is the redacted note's words.
    redacted = "> A participant said rents rose.\n> \u2014 *note 1*\n"
    assert unverified_quotes(redacted, ["Jane Smith said rents rose."]) == [redacted.split("\n")[0][2:]]
    assert unverified_quotes(redacted, ["Jane Smith said rents rose."],
                             lambda t: t.replace("Jane Smith", "A participant")) == []


def test_the_template_passes_as_it_stands_also_under_the_chatham_house_rule(db):
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    assert quoted_passages(template_markdown(db, event))
    save_draft(db, event, template_markdown(db, event))  # no refusal
    ruled = minutes_event(db)
    markdown = template_markdown(db, ruled)
    assert quoted_passages(markdown)
    save_draft(db, ruled, markdown + "\nA closing paragraph by the organiser.\n")
    assert get_draft(db, ruled).endswith("by the organiser.\n")


def test_a_draft_with_a_changed_quote_is_refused_when_saved_and_when_published(db):
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    markdown = template_markdown(db, event)
    assert "> Contracts are getting bigger." in markdown
    changed = markdown.replace("> Contracts are getting bigger.", "> Contracts are getting far too big.")
    with pytest.raises(ValidationError, match="1 quoted passage is not in the notes' words: "
                                              "\u201cContracts are getting far too big.\u201d"):
        save_draft(db, event, changed)
    assert get_draft(db, event) is None  # nothing saved
    # A draft stored some other way (before this check) is refused at publishing.
    save_draft(db, event, markdown)
    db.conn.execute("UPDATE digest SET markdown = ? WHERE draft = 1", [changed])
    db.conn.commit()
    with pytest.raises(ValidationError, match="not in the notes' words"):
        publish(db, event)
    assert list(db.query("SELECT * FROM digest WHERE draft = 0")) == []


def test_the_digest_tab_refuses_a_changed_quote_with_the_reason_and_keeps_the_text(app, client, db):
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    login(client)
    markdown = template_markdown(db, event)
    changed = markdown.replace("> Contracts are getting bigger.", "> Contracts have doubled.")
    res = client.post(f"/review/{event.slug}/digest",
                      data={"csrf_token": csrf(client, f"/review/{event.slug}/digest"),
                            "markdown": changed, "action": "save"})
    page = text(res)
    assert res.status_code == 400
    assert "\u201cContracts have doubled.\u201d" in page and "restore the words" in page
    # Said at the top too, where the page opens (the second walk-through's N2), with a link down.
    assert page.index("The draft was not saved: ") < page.index("<h2>Preview</h2>")
    assert "Contracts have doubled." in res.get_data(as_text=True).split("<textarea")[1]  # kept
    assert get_draft(db, event) is None


def test_a_quote_of_a_note_edited_after_the_synthesis_says_to_run_it_again(db):
    """The second walk-through's N14: a moderator corrected a quoted note; publishing was refused
    with "restore the words", though the software, not the organiser, wrote that quote."""
    from capture.store import edit_note_text

    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    quoted = db.execute("SELECT id, text FROM note WHERE text LIKE 'Contracts are getting bigger.%'")\
        .fetchone()
    edit_note_text(db, quoted[0], quoted[1].replace("Contracts are getting bigger.", "Contracts grow."))
    with pytest.raises(ValidationError, match="A note was edited in moderation after the synthesis "
                                              "ran, and the digest still quotes its old words: "
                                              "\u201cContracts are getting bigger.\u201d. Run the "
                                              "synthesis again"):
        publish(db, event)
