"""Server-side records of a login in progress, the codes it yields, and the tokens they buy."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from stubs.redaction import witness

REPLAY_MEMORY_SECONDS = 600


@dataclass(frozen=True)
class AuthorizationRequest:
    """A validated authorization request from a registered client."""

    client_id: str
    redirect_uri: str
    scope: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    level2_requested: bool


@dataclass
class Transaction:
    """A login in progress on the VNeID screens; `stage` says which form may come next."""

    id: str
    request: AuthorizationRequest
    expires_at: float
    stage: str = "login"
    id_number: str | None = None
    auth_time: int | None = None


@dataclass
class CodeGrant:
    """An authorization code and everything it is bound to."""

    code: str
    request: AuthorizationRequest
    id_number: str
    acr: str
    auth_time: int
    expires_at: float
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AccessGrant:
    """An access token for the userinfo endpoint."""

    token: str
    client_id: str
    id_number: str
    scope: tuple[str, ...]
    expires_at: float


class GrantStore:
    """Transactions, codes and access tokens, all in memory, all expiring."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.transactions: dict[str, Transaction] = {}
        self.codes: dict[str, CodeGrant] = {}
        self.access_tokens: dict[str, AccessGrant] = {}

    def reset(self) -> None:
        """Forget every login in progress, code and token."""
        self.transactions.clear()
        self.codes.clear()
        self.access_tokens.clear()

    def _sweep(self) -> None:
        """Drop expired records so memory stays bounded under load."""
        # Codes outlive their expiry a while, so a late replay is still recognised as one.
        now = self._clock()
        for table in (self.transactions, self.access_tokens):
            for key in [k for k, v in table.items() if v.expires_at <= now]:
                del table[key]
        forget_before = now - REPLAY_MEMORY_SECONDS
        for key in [k for k, v in self.codes.items() if v.expires_at <= forget_before]:
            del self.codes[key]

    def start_transaction(self, request: AuthorizationRequest, ttl: float) -> Transaction:
        """Record a new login in progress."""
        self._sweep()
        tx = Transaction(secrets.token_urlsafe(32), request, self._clock() + ttl)
        witness("tx", tx.id)
        self.transactions[tx.id] = tx
        return tx

    def transaction(self, tx_id: str, stage: str) -> Transaction | None:
        """The live transaction with this id, only if it is at the given stage."""
        tx = self.transactions.get(tx_id)
        if tx is None or tx.expires_at <= self._clock() or tx.stage != stage:
            return None
        return tx

    def end_transaction(self, tx: Transaction) -> None:
        """A transaction is over (handed back, locked out, or abandoned)."""
        self.transactions.pop(tx.id, None)

    def issue_code(self, tx: Transaction, acr: str, ttl: float) -> CodeGrant:
        """A fresh single-use code for a finished login."""
        assert tx.id_number is not None and tx.auth_time is not None
        grant = CodeGrant(
            code=secrets.token_urlsafe(32),
            request=tx.request,
            id_number=tx.id_number,
            acr=acr,
            auth_time=tx.auth_time,
            expires_at=self._clock() + ttl,
        )
        witness("code", grant.code)
        self.codes[grant.code] = grant
        return grant

    def issue_access_token(self, grant: CodeGrant, ttl: float) -> AccessGrant:
        """A fresh access token bought with a code."""
        access = AccessGrant(
            token=secrets.token_urlsafe(32),
            client_id=grant.request.client_id,
            id_number=grant.id_number,
            scope=grant.request.scope,
            expires_at=self._clock() + ttl,
        )
        witness("access_token", access.token)
        self.access_tokens[access.token] = access
        grant.access_tokens.append(access.token)
        return access

    def revoke_tokens_of(self, grant: CodeGrant) -> None:
        """A replayed code revokes what was issued from it (RFC 6749 §4.1.2)."""
        for token in grant.access_tokens:
            self.access_tokens.pop(token, None)

    def access_grant(self, token: str) -> AccessGrant | None:
        """The live access grant for a bearer token, if any."""
        access = self.access_tokens.get(token)
        if access is None or access.expires_at <= self._clock():
            return None
        return access
