"""What calls/ announces; observers (alerts) subscribe, calls/ knows none of them."""

from __future__ import annotations

from django.dispatch import Signal

#: a SIP target's state changed after hysteresis; `target` is the saved SipTarget, `before` its old state
probe_target_changed = Signal()
