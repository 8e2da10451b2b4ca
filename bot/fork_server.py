"""The one fork server the service's worker processes come from (audit verification, making
files safe), with everything they need loaded once.

Python keeps a single fork server per process, started by whichever pool asks first, and its
preload list is read only then: one list for every user, so no worker pays for modules another
user's start left out. `__main__` is in it because each child otherwise imports the main
module again on start (for `somesossu serve`, the whole service: about two seconds).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext, ForkServerContext

PRELOAD = ["__main__", "privacy.attachments", "bot.officer.audit_verify"]


def fork_server_context() -> BaseContext:
    """The fork server's context where the platform has one, else the platform's default."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    if isinstance(context, ForkServerContext):
        context.set_forkserver_preload(PRELOAD)
    return context
