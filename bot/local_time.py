"""How the service names its local time zone to people (reports, forms, help texts).

The zone itself is `Settings.zone` (SOMESOSSU_TIME_ZONE), passed down; never keep a zone in a
module global here or anywhere else, so that a test or a deployment can set another.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

# The words staff and the officer are used to for the default zone; other zones by their name.
_NAMES = {"Europe/Helsinki": "Finnish time"}


def zone_label(zone: ZoneInfo) -> str:
    """The zone as a report says it: Finnish time for Europe/Helsinki, else its IANA name."""
    return _NAMES.get(zone.key, f"{zone.key} time")
