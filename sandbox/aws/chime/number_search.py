"""SearchAvailablePhoneNumbers: candidate numbers for a US area code, state, city or toll-free prefix.

The rules come from the legacy `chime` model's doc of the same API
(AWS.md §1.3): for US numbers give at least one of AreaCode, City, State,
TollFreePrefix; City needs State; searches outside the US support only
PhoneNumberType, which is then mandatory. Candidates are stable per area code
(so a number found by one search can be ordered later) and never include a
number already in the account's inventory.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sandbox.aws.chime.phone_ids import is_valid_e164
from sandbox.aws.chime.voice_connectors import BAD, page_of
from sandbox.aws.model_stand_in import AwsCall, require

if TYPE_CHECKING:
    from sandbox.aws.chime.stand_in import ChimeVoiceStandIn

#: how many numbers a search returns when MaxResults is not given (AWS's default is not documented)
DEFAULT_SEARCH_RESULTS = 10
#: how many candidates one area code offers in all
POOL_SIZE = 500

# One well-known area code per state, for searches by State (and City) alone.
AREA_CODE_OF_STATE: dict[str, str] = {
    "AL": "205", "AK": "907", "AZ": "602", "AR": "501", "CA": "415", "CO": "303", "CT": "203", "DE": "302",
    "DC": "202", "FL": "305", "GA": "404", "HI": "808", "ID": "208", "IL": "312", "IN": "317", "IA": "515",
    "KS": "316", "KY": "502", "LA": "504", "ME": "207", "MD": "410", "MA": "617", "MI": "313", "MN": "612",
    "MS": "601", "MO": "314", "MT": "406", "NE": "402", "NV": "702", "NH": "603", "NJ": "201", "NM": "505",
    "NY": "212", "NC": "704", "ND": "701", "OH": "216", "OK": "405", "OR": "503", "PA": "215", "RI": "401",
    "SC": "803", "SD": "605", "TN": "615", "TX": "512", "UT": "801", "VT": "802", "VA": "703", "WA": "206",
    "WV": "304", "WI": "414", "WY": "307",
}  # fmt: skip

RULES = [
    "SearchAvailablePhoneNumbers: US searches need one of AreaCode, City, State, TollFreePrefix"
    " [botocore:chime 2018-05-01 doc]",
    "SearchAvailablePhoneNumbers: City requires State [botocore:chime 2018-05-01 doc]",
    "SearchAvailablePhoneNumbers: non-US searches take only PhoneNumberType, which is then required"
    " [botocore:chime 2018-05-01 doc]",
    "SearchAvailablePhoneNumbers: AreaCode is a NANP area code (3 digits, first 2-9) [NANP]",
    "SearchAvailablePhoneNumbers: State is a US state code [sandbox]",
    "SearchAvailablePhoneNumbers: returned numbers are in the asked area code, never already owned"
    " [AWS.md §1.3]",
]


def search_available_phone_numbers(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """SearchAvailablePhoneNumbers: stable candidates for the asked area."""
    country = call.get("Country", "US")
    area, city, state = call.get("AreaCode"), call.get("City"), call.get("State")
    toll_free, number_type = call.get("TollFreePrefix"), call.get("PhoneNumberType")
    if country != "US":
        require(
            not any([area, city, state, toll_free]),
            BAD,
            "Only PhoneNumberType is supported for searches outside the US.",
        )
        require(bool(number_type), BAD, "PhoneNumberType is required for searches outside the US.")
        # The sandbox offers US numbers only (sandbox/README.md, Known differences).
        return {"E164PhoneNumbers": []}
    require(
        any([area, city, state, toll_free]),
        BAD,
        "For US numbers, specify at least one of AreaCode, City, State or TollFreePrefix.",
    )
    require(not city or bool(state), BAD, "City requires State.")
    if toll_free:
        require(number_type != "Local", BAD, "TollFreePrefix cannot be used with PhoneNumberType Local.")
        prefix = toll_free
    elif number_type == "TollFree":
        prefix = "800"
    elif area:
        require(re.fullmatch(r"[2-9]\d\d", area) is not None, BAD, f"Invalid AreaCode '{area}'.")
        prefix = area
    else:
        require(state in AREA_CODE_OF_STATE, BAD, f"Invalid State '{state}'.")
        prefix = AREA_CODE_OF_STATE[state]
    owned = set(chime.state.numbers)
    available = [n for n in candidate_numbers(prefix) if n not in owned]
    page, token = page_of(available, call, DEFAULT_SEARCH_RESULTS)
    return {"E164PhoneNumbers": page, "NextToken": token}


@functools.lru_cache(maxsize=64)
def candidate_numbers(area_code: str) -> tuple[str, ...]:
    """The same valid numbers, in the same order, for every search of one area code."""
    return tuple(_generate(area_code))


def _generate(area_code: str) -> Iterator[str]:
    rng = random.Random(f"chime-search-{area_code}")
    seen: set[str] = set()
    while len(seen) < POOL_SIZE:
        exchange = rng.randint(200, 999)
        if exchange % 100 == 11 or exchange == 555:  # N11 codes and 555 are not assignable exchanges
            continue
        number = f"+1{area_code}{exchange}{rng.randint(0, 9999):04d}"
        if number in seen or not is_valid_e164(number):
            continue
        seen.add(number)
        yield number
