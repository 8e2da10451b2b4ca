"""Remote group sessions (a "remote café", coaching days) and opt-in news of them.

Built on the core's actions, keys and outbox; never shows one participant's identity to another.
"""
