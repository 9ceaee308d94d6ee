"""Secret tokens a user holds (API tokens, calendar feed tokens): only their SHA-256 is stored."""

import hashlib


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
