"""Synthflow's SIP edge addresses per region (PROVIDERS.md §1.6, §1.9), for the stand-in and for Patchbay."""

from __future__ import annotations

from enum import StrEnum


class SynthflowRegion(StrEnum):
    """A Synthflow region; a workspace lives in one, and its API, SIP host and ACL must match it."""

    GLOBAL = "global"
    US = "us"
    EU = "eu"


#: Signalling source addresses to allow on a carrier's ACL, per region ("IP Allow Lists" page, §1.9).
SIGNALLING_CIDRS: dict[str, tuple[str, ...]] = {
    SynthflowRegion.GLOBAL: ("34.138.86.8/32", "34.75.151.191/32", "34.23.45.239/32", "35.231.28.238/32"),
    SynthflowRegion.US: ("35.237.42.43/32", "34.139.4.161/32", "4.138.180.50/32"),
    SynthflowRegion.EU: ("34.185.212.150/32", "34.89.186.33/32", "35.242.217.198/32"),
}

#: Media (RTP, UDP 10000-60000) source addresses per region (§1.9; the US LATAM list was not retrieved).
MEDIA_IPS: dict[str, tuple[str, ...]] = {
    SynthflowRegion.GLOBAL: ("34.73.190.14", "35.237.117.4", "34.148.74.207"),
    SynthflowRegion.US: ("34.74.219.233", "34.73.16.58", "34.74.102.178"),
    SynthflowRegion.EU: ("34.89.251.213", "35.198.108.150", "34.141.20.211"),
}

#: The SIP host to dial per region (§1.6); use the name, never the IPs.
SIP_HOSTS: dict[str, str] = {
    SynthflowRegion.GLOBAL: "sip.synthflow.ai",
    SynthflowRegion.US: "sip.us.synthflow.ai",
    SynthflowRegion.EU: "sip.eu.synthflow.ai",
}

#: UDP and TCP signalling port (§1.6).
SIP_PORT = 32681
#: TLS signalling port (§1.6).
SIP_TLS_PORT = 32682
