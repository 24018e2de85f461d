"""The Synthflow stand-in (PROVIDERS.md §1) and Synthflow's SIP network constants."""

from sandbox.synthflow.network import SIGNALLING_CIDRS, SIP_HOSTS, SIP_PORT, SIP_TLS_PORT
from sandbox.synthflow.stand_in import SynthflowStandIn

__all__ = ["SIGNALLING_CIDRS", "SIP_HOSTS", "SIP_PORT", "SIP_TLS_PORT", "SynthflowStandIn"]
