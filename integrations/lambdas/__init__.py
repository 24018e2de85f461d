"""The two Lambda functions Patchbay deploys for Amazon Connect → Vapi.

`connect_handler` runs inside the Connect contact flow and stores the caller's
contact attributes in DynamoDB, keyed by the caller's number. `sma_handler` is
the SIP media application's Lambda: on a new inbound call it reads those
attributes back and answers CallAndBridge toward the Voice Connector with the
attributes as lowercase `x-` SIP headers.

Both modules run on AWS Lambda's python3.12 runtime, so they import nothing
but the standard library and boto3 (which the runtime provides), never Django.
"""
