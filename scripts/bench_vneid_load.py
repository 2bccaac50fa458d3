"""Benchmark: complete logins per second through the stub VNeID, by number of concurrent clients.

    uv run python scripts/bench_vneid_load.py [--logins 200] [--concurrency 1,4,16] [--rounds 3]
                                              [--time-limit 300]

Starts `python -m stubs.vneid` on 127.0.0.1 (port 0, TLS from a throwaway CA) in a subprocess,
so the server does not share the client's interpreter. For each concurrency, `rounds` times, it
runs `logins` complete logins — authorize → password → passcode → consent → token — with that
many clients at once, each its own connection and cookie jar. It prints, per concurrency, the
median over the rounds of logins/s and of the p50 and p99 latency of one login. Traffic goes to
loopback only; every round is bounded by the login count and the whole run by --time-limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.pkce import s256  # noqa: E402  (the project root is on the path only now)

CLIENT_ID = "vssid"
REDIRECT_URI = "https://127.0.0.1:9/app/vneid/callback"  # never contacted: read from Location
SCOPE = "openid profile id_number"
LEVEL2 = "urn:vn:vneid:loa:2"
# The l2_active persona of docs/personas.md.
PERSON = {"id_number": "084190012345", "password": "Matkhau@2023", "passcode": "246810"}
FORM = re.compile(r'<form method="post" action="([^"]+)"')
TX = re.compile(r'<input type="hidden" name="tx" value="([^"]+)"')


@dataclass(frozen=True)
class Stub:
    """The running stub VNeID and what a client needs to trust and log in to it."""

    issuer: str
    ca_file: Path
    client_secret: str


@contextlib.contextmanager
def running_vneid(folder: Path) -> Iterator[Stub]:
    """The standalone stub on loopback, stopped on the way out whatever happens."""
    ca_file, secret = folder / "ca.pem", secrets.token_urlsafe(24)
    process = subprocess.Popen(
        [sys.executable, "-m", "stubs.vneid", "--host", "127.0.0.1", "--port", "0", "--tls",
         "--ca-out", str(ca_file), "--client-id", CLIENT_ID, "--redirect-uri", REDIRECT_URI],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "VNEID_CLIENT_SECRET": secret})
    try:
        issuer = process.stdout.readline().strip()
        if not issuer.startswith("https://127.0.0.1:"):
            raise SystemExit(f"the stub VNeID did not start (printed {issuer!r})")
        yield Stub(issuer, ca_file, secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


async def submit(client: httpx.AsyncClient, page: httpx.Response, **fields: str) -> httpx.Response:
    """POST the screen's form (its action and hidden tx) with the given fields."""
    action, tx = FORM.search(page.text), TX.search(page.text)
    if not (action and tx):
        raise RuntimeError(f"no form on the screen (HTTP {page.status_code})")
    return await client.post(action.group(1), data={"tx": tx.group(1), **fields})


async def one_login(client: httpx.AsyncClient, stub: Stub) -> float:
    """A complete login and code redemption; its latency in seconds."""
    begun = time.perf_counter()
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    login = await client.get("/authorize", params={
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
        "scope": SCOPE, "state": state, "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge, "code_challenge_method": "S256", "acr_values": LEVEL2})
    passcode = await submit(client, login, id_number=PERSON["id_number"],
                            password=PERSON["password"])
    consent = await submit(client, passcode, passcode=PERSON["passcode"])
    handback = await submit(client, consent, decision="approve")
    params = parse_qs(urlsplit(handback.headers.get("location", "")).query)
    if params.get("state") != [state] or "code" not in params:
        raise RuntimeError(f"no code handed back (HTTP {handback.status_code})")
    token = await client.post("/token", auth=(CLIENT_ID, stub.client_secret), data={
        "grant_type": "authorization_code", "code": params["code"][0],
        "redirect_uri": REDIRECT_URI, "code_verifier": verifier})
    if token.status_code != 200 or "id_token" not in token.json():
        raise RuntimeError(f"token request refused (HTTP {token.status_code})")
    return time.perf_counter() - begun


@dataclass(frozen=True)
class Round:
    """One round at one concurrency: throughput and latency quantiles."""

    logins_per_second: float
    p50_ms: float
    p99_ms: float


def quantile(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p99 of a small sample is its tail)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


async def run_round(stub: Stub, context: ssl.SSLContext, logins: int,
                    concurrency: int) -> Round:
    """`logins` logins shared by `concurrency` clients working at once."""
    remaining = iter(range(logins))
    latencies: list[float] = []

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=stub.issuer, verify=context, timeout=30) as client:
            for _ in remaining:  # one shared iterator: the clients take logins until none left
                latencies.append(await one_login(client, stub))

    begun = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begun
    return Round(len(latencies) / elapsed, quantile(latencies, 0.5) * 1000,
                 quantile(latencies, 0.99) * 1000)


async def benchmark(stub: Stub, args: argparse.Namespace) -> dict[int, list[Round]]:
    context = ssl.create_default_context(cafile=str(stub.ca_file))
    deadline = time.monotonic() + args.time_limit
    results: dict[int, list[Round]] = {c: [] for c in args.concurrency}
    await run_round(stub, context, 4, 1)  # warm-up: imports, key material, first handshakes
    for _ in range(args.rounds):
        for concurrency in args.concurrency:
            if time.monotonic() > deadline:
                print(f"time limit of {args.time_limit}s reached; stopping", file=sys.stderr)
                return results
            results[concurrency].append(
                await run_round(stub, context, args.logins, concurrency))
    return results


def print_table(results: dict[int, list[Round]], logins: int) -> None:
    print(f"stub VNeID, {logins} complete logins per round, median of rounds (loopback, TLS)")
    print(f"{'clients':>8} | {'rounds':>6} | {'logins/s':>9} | {'p50 ms':>8} | {'p99 ms':>8}")
    print("-" * 52)
    for concurrency, rounds in results.items():
        if not rounds:
            continue
        print(f"{concurrency:>8} | {len(rounds):>6} | "
              f"{statistics.median(r.logins_per_second for r in rounds):>9.1f} | "
              f"{statistics.median(r.p50_ms for r in rounds):>8.1f} | "
              f"{statistics.median(r.p99_ms for r in rounds):>8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=200, help="logins per round (1–1000)")
    parser.add_argument("--concurrency", default="1,4,16",
                        type=lambda s: [int(c) for c in s.split(",")],
                        help="comma-separated numbers of concurrent clients (each 1–64)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds, whole run")
    args = parser.parse_args(argv)
    if not 1 <= args.logins <= 1000 or not all(1 <= c <= 64 for c in args.concurrency):
        parser.error("--logins must be 1–1000 and each concurrency 1–64")
    with tempfile.TemporaryDirectory() as folder, running_vneid(Path(folder)) as stub:
        results = asyncio.run(benchmark(stub, args))
    print_table(results, args.logins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
