"""Objects the AWS stand-in tests need, made through boto3 against the sandbox like Patchbay makes them."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

from testing.waits import wait_until

#: an id AWS forms as a UUID (phone number orders, SIP media applications, SIP rules)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HANDLER = b"def handler(event, context):\n    return {'SchemaVersion': '1.0', 'Actions': []}\n"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def status(response: dict[str, Any]) -> int:
    """The HTTP status of a boto3 response."""
    return int(response["ResponseMetadata"]["HTTPStatusCode"])


def lambda_zip() -> bytes:
    """A tiny deployable Python handler."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", HANDLER)
    return buffer.getvalue()


def create_lambda(aws_client: Callable[..., Any], name: str, region: str) -> str:
    """A function in the sandbox's Lambda (moto); returns its ARN."""
    iam = aws_client("iam", region=region)
    try:
        role_arn = iam.get_role(RoleName="pb-test-lambda")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role_arn = iam.create_role(RoleName="pb-test-lambda", AssumeRolePolicyDocument=json.dumps(TRUST))[
            "Role"
        ]["Arn"]
    created = aws_client("lambda", region=region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": lambda_zip()},
    )
    return created["FunctionArn"]


def order_number(chime: Any, product_type: str, area_code: str, name: str = "") -> str:
    """Search, order and poll (with a deadline) until the number is in the inventory; returns it."""
    number = chime.search_available_phone_numbers(AreaCode=area_code, MaxResults=1)["E164PhoneNumbers"][0]
    order = chime.create_phone_number_order(ProductType=product_type, E164PhoneNumbers=[number], Name=name)
    order_id = order["PhoneNumberOrder"]["PhoneNumberOrderId"]

    def successful() -> bool:
        order = chime.get_phone_number_order(PhoneNumberOrderId=order_id)["PhoneNumberOrder"]
        return bool(order["Status"] == "Successful")

    wait_until(successful, timeout=10, message=f"order {order_id} never became Successful")
    return number
