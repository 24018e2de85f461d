"""AWS for one tenant account: the assumed-role session (`session.py`) and one typed client per service.

Each service's requests are built in its own module, on `AwsService` (`service.py`):
Chime SDK Voice in `chime.py` (Voice Connectors and their settings), `chime_sip.py` (SIP media
applications and rules) and `chime_numbers.py` (phone numbers); CloudWatch Logs in `logs.py`;
Lambda in `lambda_.py`, IAM in `iam.py`, Amazon Connect in `connect.py`, DynamoDB in `dynamodb.py`.
Resources, diagnostics and pages call their methods; nothing outside this package names an AWS
operation (integrations/tests/test_aws_permissions.py checks it).
"""

from integrations.vendors.aws.session import AwsAccountRef, AwsSession, translate_client_error

__all__ = ["AwsAccountRef", "AwsSession", "translate_client_error"]
