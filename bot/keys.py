"""Builds the key ring from settings, or from a development key file it creates itself.

Never logs or prints key material; in production it refuses to invent keys.
"""

from __future__ import annotations

import logging

from privacy.crypto import KeyRing
from privacy.keyfile import generate_keyring, keyring_from_strings, read_key_file, write_key_file

from .config import ConfigError, Environment, Settings
from .logs import log_event

log = logging.getLogger("somesossu.keys")

DEV_KEY_WARNING = (
    "USING A DEVELOPMENT KEY FILE ({path}). It is for development only: in production set "
    "SOMESOSSU_KEKS, SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY from a secret store "
    "and SOMESOSSU_ENV=production."
)


def load_keyring(settings: Settings) -> KeyRing:
    if settings.keks is not None:
        if settings.pepper is None or settings.audit_key is None:
            raise ConfigError(
                "SOMESOSSU_KEKS is set, so SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY must be set too"
            )
        return keyring_from_strings(
            settings.keks.get_secret_value(),
            settings.current_kek_version,
            settings.pepper.get_secret_value(),
            settings.audit_key.get_secret_value(),
        )
    if settings.env is Environment.PRODUCTION:
        raise ConfigError(
            "SOMESOSSU_ENV=production needs configured keys: set SOMESOSSU_KEKS, "
            "SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY (see .env.example)"
        )
    path = settings.key_file
    if path.exists():
        ring = read_key_file(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        ring = generate_keyring()
        write_key_file(path, ring)
        log_event(log, "keys.generated", logging.WARNING, path=str(path))
    log.warning(DEV_KEY_WARNING.format(path=path))
    return ring
