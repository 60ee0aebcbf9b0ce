"""Checks Sealmail's OpenAPI document with validators that are not ours.

Usage: openapi_check.py DOCUMENT.json [ANSWERS.json]

The document must be a valid OpenAPI 3.1 description (openapi-spec-validator:
the spec's schema, references, path parameters, operation ids).

ANSWERS is a list of answers the server gave, each
{"method", "path" (the route as the document names it), "status",
"content_type" (null for no body), "body", "valid"}. The document must
describe that status for that operation, with that content type (or none),
and the body is checked against the schema it gives there
(openapi-schema-validator: JSON Schema 2020-12 with OpenAPI's vocabulary,
formats such as date-time checked). An answer passes when it matches its
schema exactly as "valid" says: false marks an answer the test broke on
purpose, which the schema must refuse.

Prints a line per check; exits 1 if any check did not go as expected.
"""

import json
import sys

from openapi_schema_validator import OAS31Validator, oas31_format_checker
from openapi_spec_validator import validate


def problems(document, answer):
    """What is wrong with `answer` against `document` (empty: nothing)."""
    operation = document["paths"].get(answer["path"], {}).get(answer["method"].lower())
    if operation is None:
        return ["the document has no such operation"]
    response = operation["responses"].get(str(answer["status"]))
    if response is None:
        return [f"the operation lists no {answer['status']} answer"]
    content = response.get("content", {})
    if answer["content_type"] is None:
        return [f"a body is described: {list(content)}"] if content else []
    media = content.get(answer["content_type"])
    if media is None:
        return [f"no {answer['content_type']} answer is described: {list(content)}"]
    # References point into `#/components/...`: the schema is checked as a
    # document whose root holds the components.
    schema = dict(media["schema"], components=document["components"])
    validator = OAS31Validator(schema, format_checker=oas31_format_checker)
    return [error.message for error in validator.iter_errors(answer["body"])]


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        document = json.load(file)
    validate(document)
    print(f"ok    the document is valid OpenAPI {document['openapi']}")
    answers = []
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as file:
            answers = json.load(file)
    unexpected = 0
    for answer in answers:
        name = f"{answer['method']} {answer['path']} {answer['status']}"
        found = problems(document, answer)
        matched = not found
        if matched == answer["valid"]:
            print(f"ok    {name}" + ("" if answer["valid"] else f" refused: {found[0]}"))
        else:
            unexpected += 1
            print(f"FAIL  {name}: " + ("; ".join(found) or "matched, but was broken on purpose"))
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
