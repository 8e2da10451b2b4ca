"""The core handles the actions use: `Core`, `Work`, `unit_of_work` and `Actor` live in
bot/core.py and are re-exported here. Who may do what is decided in bot/access.py only.
"""

from __future__ import annotations

from bot.core import SYSTEM as SYSTEM
from bot.core import Actor as Actor
from bot.core import Core as Core
from bot.core import Work as Work
from bot.core import unit_of_work as unit_of_work
