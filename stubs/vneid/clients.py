"""The registry of relying parties allowed to use the stub VNeID."""

from __future__ import annotations

from stubs.vneid.config import ClientRegistration


class ClientRegistry:
    """Registered clients: those of the config, plus any added through the control plane."""

    def __init__(self, initial: tuple[ClientRegistration, ...]) -> None:
        self._initial = initial
        self._clients: dict[str, ClientRegistration] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the clients of the config."""
        self._clients = {c.client_id: c for c in self._initial}

    def put(self, client: ClientRegistration) -> None:
        """Register a client or replace the one with the same client_id."""
        self._clients[client.client_id] = client

    def remove(self, client_id: str) -> bool:
        """Unregister a client; whether it was registered."""
        return self._clients.pop(client_id, None) is not None

    def get(self, client_id: str) -> ClientRegistration | None:
        """The registration of a client_id, if any."""
        return self._clients.get(client_id)

    def all(self) -> list[ClientRegistration]:
        """Every registered client."""
        return list(self._clients.values())


def redirect_uri_registered(
    client: ClientRegistration, redirect_uri: str, *, prefix_match: bool = False
) -> bool:
    """Exact string comparison (IDP-01); `prefix_match` is the seeded defect, never the default."""
    if prefix_match:
        return any(redirect_uri.startswith(uri) for uri in client.redirect_uris)
    return redirect_uri in client.redirect_uris
