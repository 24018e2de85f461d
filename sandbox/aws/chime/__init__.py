"""The Amazon Chime SDK Voice stand-in (`chime-sdk-voice`, SigV4 signing name `chime`)."""

from sandbox.aws.chime.stand_in import ChimeVoiceStandIn

__all__ = ["ChimeVoiceStandIn"]
