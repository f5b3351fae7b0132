"""Take from Slack's published Web API spec the facts the local Slack relies on, for the test
that checks it (`tests/test_slack_wire.py`). A developer's tool: the product and its tests
never read the spec itself, only what this writes.

    python tools/slack_spec_facts.py PATH/TO/slack_web_openapi_v2_without_examples.json

The spec is slackapi/slack-api-specs (MIT licence, copied beside the output's notice).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "slack_web_api_facts.json"


def facts(spec: dict) -> dict:
    """Per method: the HTTP verb, the content types Slack reads its arguments from, where each
    argument goes (`query`, `formData`, `header`) and whether it is required, and its scopes."""
    methods = {}
    for path, verbs in sorted(spec["paths"].items()):
        for verb, operation in verbs.items():
            methods[path.lstrip("/")] = {
                "verb": verb,
                "consumes": operation.get("consumes", []),
                "parameters": {
                    p["name"]: {"in": p["in"], "required": bool(p.get("required"))}
                    for p in operation.get("parameters", [])
                },
                "scopes": [s for entry in operation.get("security", []) for s in entry.get("slackAuth", [])],
            }
    return {
        "source": "slackapi/slack-api-specs web-api/slack_web_openapi_v2.json "
        "@ bc08db49625630e3585bf2f1322128ea04f2a7f3 (MIT licence, Copyright (c) 2017 SlackAPI)",
        "version": spec.get("info", {}).get("version"),
        "methods": methods,
    }


if __name__ == "__main__":
    spec = json.loads(Path(sys.argv[1]).read_text())
    OUT.write_text(json.dumps(facts(spec), indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(facts(spec)['methods'])} methods to {OUT}")
