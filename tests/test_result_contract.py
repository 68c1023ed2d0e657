"""The result contract (docs/result.md, synthesis/result.py): what the CLI prints and the API
returns validate against it, with the real models, and `validate` rejects what breaks it."""

from __future__ import annotations

import copy
import json

import pytest

from capture.importing import import_file
from capture.store import get_event, open_db
from synthesis import runs
from synthesis.result import json_schema, validate
from tests.conftest import SEEE
from tests.web_helpers import csrf, login
from web.cli import cli

MINIMAL = {
    "event": {"slug": "e", "title": "E"},
    "themes": [{"id": "t1", "label": "Funding for convening", "keywords": ["funding"],
                "summary": "There is no funding for convening.", "size": 1, "tables": [],
                "quotes": [{"text": "There is no funding for convening.", "note": "n1", "table": None,
                            "parts": [{"start": 0, "end": 34}]}],
                "segments": [{"text": "There is no funding for convening.", "note": "n1", "table": None,
                              "start": 0, "end": 34}]}],
    "unassigned": [],
    "entities": [{"text": "Social Value Act", "label": "LAW", "count": 1}],
}


def test_a_valid_result_passes_and_each_break_is_named():
    assert validate(copy.deepcopy(MINIMAL)) == MINIMAL
    missing = copy.deepcopy(MINIMAL)
    del missing["themes"][0]["segments"]
    with pytest.raises(ValueError, match=r"themes\.0\.segments"):
        validate(missing)
    renamed = copy.deepcopy(MINIMAL)
    renamed["themes"][0]["quotes"][0]["ref"] = renamed["themes"][0]["quotes"][0].pop("note")
    with pytest.raises(ValueError, match=r"quotes\.0"):
        validate(renamed)
    wrong_type = copy.deepcopy(MINIMAL)
    wrong_type["themes"][0]["size"] = "1"
    with pytest.raises(ValueError, match=r"themes\.0\.size"):
        validate(wrong_type)


def test_the_documented_schema_is_the_code_schema():
    from tests.conftest import REPO

    documented = json.loads((REPO / "docs" / "result.schema.json").read_text(encoding="utf-8"))
    stale = "docs/result.schema.json is stale: run `python -m synthesis.result > docs/result.schema.json`"
    assert documented == json_schema(), stale


@pytest.mark.models
def test_cli_json_and_api_validate_against_the_contract(app, client, runner, db_path):
    db = open_db(db_path)
    import_file(db, SEEE, event="seee")
    result = runner.invoke(cli, ["--db", str(db_path), "synthesise", "seee", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    validate(printed)
    assert printed == runs.latest_result(db, get_event(db, "seee"))
    assert printed["run"]["method"] == "spectral"

    login(client)
    api = client.get("/api/events/seee/synthesis")
    assert api.status_code == 200
    validate(api.get_json())
    # With edits applied (a rename and a split into a new theme) the API still keeps the contract.
    first = printed["themes"][0]
    token = csrf(client, "/review/seee")
    renamed = client.post("/review/seee/edit", data={"csrf_token": token, "op": "rename",
                                                    "theme": first["id"], "label": "Renamed"})
    assert renamed.status_code == 302
    edited = client.get("/api/events/seee/synthesis").get_json()
    validate(edited)
    assert "Renamed" in [t["label"] for t in edited["themes"]]
