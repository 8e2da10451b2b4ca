"""The privacy officer's tools: audit reports and verification, subject requests, key rotation.

Each module is the logic of one script in `scripts/`; none prints a secret or a resident's data
except the subject export, which writes it only to an owner-only file.
"""
