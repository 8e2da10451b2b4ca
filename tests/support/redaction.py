"""One redactor for the name tests, and the names it finds in a text."""

from __future__ import annotations

from privacy.redaction import Kind, Redactor

REDACTOR = Redactor()


def names_in(text: str) -> list[str]:
    """The person names the redactor masks in `text`, as written there."""
    return [
        text[f.start : f.end] for f in REDACTOR.redact(text).findings if f.kind is Kind.PERSON_NAME
    ]
