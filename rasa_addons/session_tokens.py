"""Web chat session ids that only the server can mint, so a browser cannot pick someone else's.

A socket.io client asks for a session (`session_request`) and may offer the id it kept from an earlier
visit (page reload, another page of the site). The server keeps that id only if it carries a valid
signature (HMAC-SHA256 with ASKVN_SESSION_SECRET); anything else — a guessed id, a REST sender id, a
Telegram user's id — gets a fresh one. Messages are then handled as the session bound to the
connection, whatever session id the message itself names.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets

logger = logging.getLogger(__name__)
SECRET_VARIABLE = "ASKVN_SESSION_SECRET"
SIGNATURE_CHARS = 32


class SessionTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_env(cls) -> SessionTokens:
        secret = os.environ.get(SECRET_VARIABLE)
        if not secret:  # `askvn run` always sets one; a bare `rasa run` gets sessions valid until restart
            logger.warning("%s not set: web chat sessions will not survive a restart", SECRET_VARIABLE)
            return cls(secrets.token_bytes(32))
        return cls(secret.encode())

    def issue(self) -> str:
        session = secrets.token_hex(16)
        return f"{session}.{self._sign(session)}"

    def is_valid(self, token: str) -> bool:
        session, _, signature = token.partition(".")
        return bool(session) and hmac.compare_digest(signature, self._sign(session))

    def _sign(self, session: str) -> str:
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]
