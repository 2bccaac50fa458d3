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

# What an attempt exercises by getting *past* each of the oracle's refusals (the rule does not
# apply to it, so it must be let through): a system that refuses it there breaks this.
ADMITTED_BY: dict[Outcome, tuple[str, ...]] = {
    Outcome.VSSID_UPDATE_REQUIRED: ("N-VER-2",),    # VssID at/above the minimum is accepted
    Outcome.VNEID_NOT_INSTALLED: ("N-FLOW-2",),     # an installed VNeID gets the hand-over
    Outcome.VNEID_UPDATE_REQUIRED: ("N-VER-1",),    # VNeID at/above the minimum is accepted
    Outcome.VNEID_LOCKED: ("N-FLOW-3",),            # an active account logs in on VNeID
    Outcome.VNEID_BAD_CREDENTIALS: ("N-FLOW-3",),   # the right credentials log in
    Outcome.LEVEL2_REQUIRED: ("N-ELIG-2",),         # a level 2 account is admitted
    Outcome.CANCELLED: ("N-FLOW-4",),               # consent given: VNeID hands back success
    Outcome.NO_VSSID_ACCOUNT: ("N-ELIG-1",),        # a VssID account holder is admitted
    Outcome.VSSID_PENDING: ("N-ELIG-1",),
    Outcome.VSSID_LOCKED: ("N-ELIG-1",),
}

# What an attempt breaks when it does not end on its own outcome (and is not refused earlier):
# the outcome's requirements, except that a missed LOGGED_IN is the hand-back's (N-FLOW-4).
CONCLUDED_BY: dict[Outcome, tuple[str, ...]] = {
    **REQUIREMENTS_BY_OUTCOME, Outcome.LOGGED_IN: ("N-FLOW-4",)}

_ORDER = list(Outcome)  # the oracle decides in this order: the first that applies wins


def requirements_of(expected: Outcome) -> tuple[str, ...]:
    """Every requirement an attempt ending on `expected` exercises: those of its outcome, and
    those of each earlier refusal it must get past (its test's `req` marker)."""
    ids = list(REQUIREMENTS_BY_OUTCOME[expected])
    for earlier in _ORDER[:_ORDER.index(expected)]:
        ids += ADMITTED_BY[earlier]
    return tuple(dict.fromkeys(ids))


def broken_by(expected: Outcome, observed: str) -> tuple[str, ...]:
    """The requirements an attempt breaks by ending on `observed` instead of `expected`.

    Refused by an earlier rule than the oracle's (a rule that does not apply): what getting
    past that rule exercises. Let past the oracle's refusal, or ended on anything else (a
    protocol error, no outcome): the expected outcome's own requirements."""
    if observed in _ORDER and _ORDER.index(Outcome(observed)) < _ORDER.index(expected):
        return ADMITTED_BY[Outcome(observed)]
    return CONCLUDED_BY[expected]


def no_session_requirements(expected: Outcome) -> tuple[str, ...]:
    """Who breaks a refused attempt's "and no session": the relying party's side of it (VNeID
    cannot open a VssID session)."""
    ids = REQUIREMENTS_BY_OUTCOME[expected]
    return tuple(i for i in ids if not i.startswith("IDP-")) or ids


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
