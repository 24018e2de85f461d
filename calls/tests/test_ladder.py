"""The ladder SVG: valid XML, an arrow per message, failures in red, x- headers that reached the far end."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from calls.ladder import FAILURE_COLOUR, ladder_context, render_ladder_svg
from calls.tests.sip_samples import CONNECTOR_HOST, VAPI_HOST, answered_call, invite, response
from calls.tests.stored_calls import stored_call

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def stylesheet() -> str:
    """The dashboard's stylesheet as served (templates load static/css/patchbay.css)."""
    path = finders.find("css/patchbay.css")
    assert path, "static/css/patchbay.css is missing"
    return Path(path).read_text()


def arrows(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return root.findall(f"{SVG}a")


def test_fifty_messages_make_fifty_arrows_in_valid_svg_growing_downwards(db: Any) -> None:
    texts: list[str] = []
    for attempt in range(25):  # 25 INVITEs refused with 503: 50 messages
        branch = f"z9hG4bK-{attempt}"
        texts += [
            invite(cseq=attempt + 1, branch=branch),
            response(503, "Service Unavailable", cseq=attempt + 1, branch=branch),
        ]
    call = stored_call(texts)
    svg = render_ladder_svg(call, list(call.messages.all()))

    found = arrows(svg)
    assert len(found) == 50
    root = ET.fromstring(svg)
    assert int(root.get("height", "0")) > 50 * 40  # each message has its own row
    failures = [a for a in found if "failure" in (a.get("class") or "")]
    assert len(failures) == 25
    for arrow in failures:
        assert arrow.find(f"{SVG}line").get("stroke") == FAILURE_COLOUR
        assert arrow.find(f"{SVG}text").text == "503 Service Unavailable"
    labels = [a.find(f"{SVG}text").text for a in found]
    assert labels[:2] == ["INVITE", "503 Service Unavailable"]
    # Time and delta from the previous message under each arrow.
    times = [a.findall(f"{SVG}text")[1].text for a in found]
    assert times[0] == "10:00:00.000"
    assert times[1] == "10:00:00.035 (+35 ms)"
    assert not root.findall(f".//{SVG}script")


def test_each_arrow_links_to_its_raw_message_shown_on_click(db: Any) -> None:
    call = stored_call(answered_call(x_headers={"x-customer-id": "42", "X-Lang": "en-US"}))
    html = render_to_string("calls/ladder.html", {"ladder": ladder_context(call)})

    messages = list(call.messages.all())
    for message in messages:
        assert f'href="#msg-{message.pk}"' in html
        assert f'id="msg-{message.pk}" class="sip-raw"' in html
    # The raw message opens with CSS :target (no script), from the dashboard's stylesheet.
    assert ".sip-raw:target { display: block; }" in stylesheet()
    assert "<script" not in html
    # The INVITE's x- headers reached Vapi, the far end: listed under its arrow and marked in the raw text.
    assert "<mark>x-customer-id: 42</mark>" in html
    assert "<mark>X-Lang: en-US</mark>" in html
    invite_arrow = arrows(str(ladder_context(call)["svg"]))[0]
    highlighted = [t.text for t in invite_arrow.findall(f"{SVG}text") if "x-header" in (t.get("class") or "")]
    assert highlighted == ["x-customer-id: 42", "X-Lang: en-US"]


def test_host_names_and_labels_are_escaped(db: Any) -> None:
    call = stored_call(
        [invite(call_id="<script>@x"), response(404, "Not <b>Found</b>", call_id="<script>@x")]
    )
    svg = render_ladder_svg(call, list(call.messages.all()))

    assert "<script>" not in svg and "<b>" not in svg
    assert arrows(svg)[1].find(f"{SVG}text").text == "404 Not <b>Found</b>"


def test_lanes_say_what_each_host_is_and_arrows_are_named_for_screen_readers(db: Any) -> None:
    call = stored_call(answered_call())
    root = ET.fromstring(str(render_ladder_svg(call, list(call.messages.all()))))

    lanes = {g.get("data-host"): [t.text for t in g.findall(f"{SVG}text")] for g in root.findall(f"{SVG}g")}
    assert lanes[CONNECTOR_HOST] == ["Chime Voice Connector · abcd…", "abcdef1234567890abcdef.voic…"]
    assert lanes[VAPI_HOST][0] == "Vapi"
    # The drawing is a group of links (not an image), each saying what it is and what it opens.
    assert root.get("role") == "group"
    invite_arrow = arrows(ET.tostring(root, encoding="unicode"))[0]
    assert invite_arrow.get("aria-label") == (
        "INVITE from Chime Voice Connector · abcd… to Vapi at 10:00:00.000: show the raw message"
    )
