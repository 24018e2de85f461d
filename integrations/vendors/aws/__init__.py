"""AWS for one tenant account: the assumed-role session (`session.py`) and one typed client per service.

Each service's requests are built in its own module, on `AwsService` (`service.py`):
`dynamodb.py`, `lambda_.py`, `iam.py`, `connect.py`, and the others as they move over from the
session's generic `call`.
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
