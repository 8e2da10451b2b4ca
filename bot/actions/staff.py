"""The staff member as residents see them in a reply. Who the signed-in staff member is and
what they may do live in bot/access.py.
"""

from __future__ import annotations

from ..access import Staff
from .context import Core


def counsellor_name(core: Core, staff: Staff, language: str | None) -> str:
    """The counsellor as residents see them: the chosen display name, else the neutral word for
    a counsellor in the resident's language."""
    return staff.display_name or core.texts.text(language or "", "webchat_counsellor")
