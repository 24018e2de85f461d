"""AWS for one tenant account: the assumed-role session (`session.py`) and one typed client per service.

Each service's requests are built in its own module, on `AwsService` (`service.py`):
`dynamodb.py`; Chime SDK Voice in `chime.py` (Voice Connectors and their settings), `chime_sip.py`
(SIP media applications and rules) and `chime_numbers.py` (phone numbers); CloudWatch Logs in
`logs.py`; the others as they move over from the session's generic `call`.
"""

from integrations.vendors.aws.session import AwsAccountRef, AwsSession, translate_client_error
from integrations.vendors.errors import AuthFailed, Conflict, NotFound, Throttled

__all__ = [
    "AuthFailed",
    "AwsAccountRef",
    "AwsSession",
    "Conflict",
    "NotFound",
    "Throttled",
    "translate_client_error",
]
