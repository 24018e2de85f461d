"""The Amazon Connect stand-in for the calls moto lacks (signing name `connect`)."""

from sandbox.aws.connect.stand_in import ConnectStandIn

__all__ = ["ConnectStandIn"]
