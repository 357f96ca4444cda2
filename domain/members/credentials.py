"""Password hashing (argon2id) and tokens: short-lived JWT access, opaque rotating refresh."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rally.errors import Unauthenticated
from rally.settings import Settings

JWT_ALGORITHM = "HS256"
VERIFIED_CACHE_SIZE = 10_000


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib
        )
        # Verifying against this keeps unknown-email logins as slow as wrong-password ones.
        self._decoy = self._hasher.hash(secrets.token_hex(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(password_hash or self._decoy, password)
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check) and password_hash is not None


@dataclass(frozen=True)
class AccessClaims:
    member_id: int
    roles: frozenset[str]
    expires_at: int
    issued_at: int = 0


class Tokens:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.secret_value()
        self._access_ttl = settings.access_token_ttl_seconds
        self._verified: dict[str, AccessClaims] = {}

    def issue_access(self, member_id: int, roles: list[str]) -> tuple[str, int]:
        now = int(time.time())
        expires = now + self._access_ttl
        token = jwt.encode(
            {"sub": str(member_id), "roles": sorted(roles), "iat": now, "exp": expires, "typ": "access"},
            self._secret,
            algorithm=JWT_ALGORITHM,
        )
        return token, expires

    def decode_access(self, token: str) -> AccessClaims:
        # A phone sends the same token for its whole 15-minute life: verify the signature
        # once, then only the expiry.
        cached = self._verified.get(token)
        if cached is not None:
            if cached.expires_at <= time.time():
                raise Unauthenticated("access token expired; refresh it", reason="TOKEN_EXPIRED")
            return cached
        claims = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[JWT_ALGORITHM])
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token expired; refresh it", reason="TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("invalid access token", reason="TOKEN_INVALID") from exc
        if claims.get("typ") != "access":
            raise Unauthenticated("invalid access token", reason="TOKEN_INVALID")
        return AccessClaims(int(claims["sub"]), frozenset(claims.get("roles", ())), int(claims["exp"]),
                            int(claims.get("iat", 0)))


def new_refresh_token() -> tuple[str, str]:
    """(token for the client, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
