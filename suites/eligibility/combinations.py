"""The finite account-state space of REQUIREMENTS.md, enumerated, with versions around each gate."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from fixtures.oracle import Attempt, Minimums, Outcome
from fixtures.versions import AppVersion

LEVELS = (1, 2)
VNEID_STATUSES = ("active", "locked", "revoked")
VSSID_ACCOUNTS = ("none", "pending", "active", "locked")

# Which requirements an attempt exercises, by the outcome the oracle expects of it.
REQUIREMENTS_BY_OUTCOME: dict[Outcome, tuple[str, ...]] = {
    Outcome.VSSID_UPDATE_REQUIRED: ("N-VER-2", "APP-05"),
    Outcome.VNEID_NOT_INSTALLED: ("N-FLOW-2", "APP-06"),
    Outcome.VNEID_UPDATE_REQUIRED: ("N-VER-1", "APP-05"),
    Outcome.VNEID_LOCKED: ("N-FLOW-3",),
    Outcome.VNEID_BAD_CREDENTIALS: ("N-FLOW-3",),
    Outcome.LEVEL2_REQUIRED: ("N-ELIG-2",),
    Outcome.CANCELLED: ("IDP-12", "RP-14"),
    Outcome.NO_VSSID_ACCOUNT: ("N-ELIG-1",),
    Outcome.VSSID_PENDING: ("N-ELIG-1",),
    Outcome.VSSID_LOCKED: ("N-ELIG-1",),
    Outcome.LOGGED_IN: ("N-ELIG-1", "N-ELIG-2", "N-FLOW-4"),
}


def around(minimum: str) -> tuple[str, str, str]:
    """Versions just below, at and above a minimum; "above" has a two-digit last component.

    1.6.7 → (1.6.6, 1.6.7, 1.6.10); 2.1.0 → (2.0.9, 2.1.0, 2.1.10). The two-digit component
    is what a string comparison gets wrong ("1.6.10" < "1.6.7" as text).
    """
    release = list(AppVersion.parse(minimum).release)
    below = list(release)
    index = len(below) - 1
    while index >= 0 and below[index] == 0:
        below[index] = 9
        index -= 1
    if index < 0:
        raise ValueError(f"no version is below {minimum!r}")
    below[index] -= 1
    above = [*release[:-1], max(10, release[-1] + 3)]
    return (".".join(map(str, below)), ".".join(map(str, release)),
            ".".join(map(str, above)))


def every_attempt(minimums: Minimums, vssid_accounts: tuple[str, ...] = VSSID_ACCOUNTS
                  ) -> Iterator[Attempt]:
    """Every combination: versions below/at/above both gates × every account state."""
    for (vssid_version, installed, vneid_version, level, status, right, consent,
         account) in itertools.product(
            around(minimums.vssid), (True, False), around(minimums.vneid), LEVELS,
            VNEID_STATUSES, (True, False), (True, False), vssid_accounts):
        yield Attempt(vssid_version=vssid_version, vneid_installed=installed,
                      vneid_version=vneid_version, level=level, vneid_status=status,
                      credentials_right=right, consent=consent, vssid_account=account)


def label(attempt: Attempt) -> str:
    """A short, stable test id for one combination."""
    return "-".join((
        f"vssid{attempt.vssid_version}",
        ("vneid" if attempt.vneid_installed else "no_vneid") + attempt.vneid_version,
        f"L{attempt.level}", attempt.vneid_status,
        "right" if attempt.credentials_right else "wrong",
        "consent" if attempt.consent else "decline",
        f"vssid_{attempt.vssid_account}",
    ))


def _pairs(attempt: Attempt) -> set[tuple[int, object, int, object]]:
    values = list(vars(attempt).values())
    return {(i, values[i], j, values[j])
            for i in range(len(values)) for j in range(i + 1, len(values))}


def pairwise(attempts: list[Attempt]) -> list[Attempt]:
    """A small subset in which every pair of dimension values still occurs (greedy cover)."""
    uncovered = set().union(*(_pairs(a) for a in attempts))
    chosen: list[Attempt] = []
    while uncovered:
        best = max(attempts, key=lambda a: len(_pairs(a) & uncovered))
        chosen.append(best)
        uncovered -= _pairs(best)
    return chosen
