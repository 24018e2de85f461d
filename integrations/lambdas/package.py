"""Build the deterministic deployment zip of Patchbay's Lambda functions.

The same source always gives byte-identical zips (sorted entries, fixed
timestamps and permissions), so the zip's SHA-256 — which Lambda reports as
`CodeSha256` (base64) — tells whether the deployed code drifted from ours.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

LAMBDA_DIR = Path(__file__).resolve().parent
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)

#: function → the modules its zip carries (flat, at the zip's root)
FUNCTION_MODULES: dict[str, tuple[str, ...]] = {
    "connect_handler": ("connect_handler.py",),
    "sma_handler": ("sma_handler.py", "sip_headers.py"),
}


@dataclass(frozen=True)
class LambdaPackage:
    """A deployment zip and how Lambda will identify it."""

    handler: str  # e.g. "sma_handler.handler"
    zip_bytes: bytes

    @property
    def code_sha256(self) -> str:
        """Base64 SHA-256 of the zip, as Lambda's GetFunction reports `CodeSha256`."""
        return base64.b64encode(hashlib.sha256(self.zip_bytes).digest()).decode()


def build_package(function: str) -> LambdaPackage:
    """The deterministic zip for one of Patchbay's Lambda functions."""
    modules = FUNCTION_MODULES[function]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(modules):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (LAMBDA_DIR / name).read_bytes())
    return LambdaPackage(handler=f"{function}.handler", zip_bytes=buffer.getvalue())
