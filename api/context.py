"""Per-request context: who is calling, the services, and this request's DataLoaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from starlette.requests import HTTPConnection

from api.container import Container
from api.loaders import Loaders
from domain.members.credentials import AccessClaims
from domain.members.models import Role
from rally.errors import DomainError, Forbidden, Unauthenticated
from rally.settings import Settings


@dataclass
class Context:
    container: Container
    connection: HTTPConnection | None
    authorization: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    # Set when the caller's claims were checked; reused by every resolver of the request.
    _claims: AccessClaims | None = None
    _auth_error: DomainError | None = None
    _auth_checked: bool = False
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.container.settings

    @property
    def services(self) -> Container:
        return self.container

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.container)

    @property
    def client_address(self) -> str:
        if self.connection is not None and self.connection.client is not None:
            return self.connection.client.host
        return "unknown"

    @property
    def viewer(self) -> AccessClaims | None:
        """The authenticated caller, or None for an anonymous request.

        An invalid or expired token is remembered and raised by `require_member`, so a
        public field still answers while a protected one says why it refused.
        """
        if not self._auth_checked:
            self._auth_checked = True
            token = _bearer(self.authorization)
            if token is not None:
                try:
                    self._claims = self.container.tokens.decode_access(token)
                except DomainError as error:
                    self._auth_error = error
        return self._claims

    async def authenticate(self) -> AccessClaims | None:
        """`viewer`, also refusing a token revoked before it expired (deleted or banned member)."""
        claims = self.viewer
        if claims is not None and await self.container.revocations.is_revoked(claims):
            self._claims = None
            self._auth_error = Unauthenticated("this session was ended; log in again",
                                               reason="TOKEN_REVOKED")
        return self._claims

    @property
    def viewer_id(self) -> int | None:
        claims = self.viewer
        return claims.member_id if claims else None

    def require_member(self) -> AccessClaims:
        claims = self.viewer
        if claims is None:
            raise self._auth_error or Unauthenticated("log in to do this")
        return claims

    def require_role(self, *roles: Role) -> AccessClaims:
        claims = self.require_member()
        if Role.ADMIN in claims.roles or claims.roles.intersection(roles):
            return claims
        needed = " or ".join(r.value for r in roles)
        raise Forbidden(f"this needs the {needed} role", requiredRoles=[r.value for r in roles])

    def has_role(self, role: Role) -> bool:
        claims = self.viewer
        return claims is not None and (role in claims.roles or Role.ADMIN in claims.roles)


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
