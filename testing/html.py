"""Reading dashboard pages in tests: the errors a form shows beside a field.

Moved from the root conftest.py.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FieldErrors(HTMLParser):
    """Collects the error messages rendered beside one form field (templates/partials/field.html)."""

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field
        self.depth = 0  # >0 while inside the field's block
        self.in_error = False
        self.found = False
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "li" and self.in_error:
                self.errors.append("")
            if tag == "ul" and "errorlist" in (attributes.get("class") or ""):
                self.in_error = True
        elif tag == "div" and attributes.get("data-field") == self.field:
            self.depth = 1
            self.found = True

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1
        if tag == "ul":
            self.in_error = False

    def handle_data(self, data: str) -> None:
        if self.depth and self.in_error and self.errors:
            self.errors[-1] += data


def field_errors(html: str, field: str) -> list[str]:
    """The messages shown beside form field `field` (its HTML name) on a dashboard page."""
    parser = _FieldErrors(field)
    parser.feed(html)
    assert parser.found, f"no field {field!r} on the page"
    return [error.strip() for error in parser.errors]
