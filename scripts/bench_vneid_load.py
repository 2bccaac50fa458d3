"""Benchmark: complete logins per second, the stub VNeID beside two third-party servers.

    uv run python scripts/bench_vneid_load.py [--logins 300] [--concurrency 1,8] [--rounds 3]
                                              [--servers stub,mock,oidc-provider]
                                              [--time-limit 600] [--check]

One generator, three servers, one run. It starts, each on 127.0.0.1 at a free port with TLS
from a throw-away CA, in its own process:

- `stub`: the stub VNeID (`python -m stubs.vneid`);
- `mock`: oauth2-mock-server (npm, pinned; interop/oauth2-mock-server/server.mjs), which hands
  a code back at once, with no screen;
- `oidc-provider`: oidc-provider (npm, pinned; interop/node-oidc-provider/server.mjs) set up
  as a vendor's VNeID: login, one-time code and consent screens.

The generator is the same for all three and does what a relying party and its users' browsers
do: it reads the provider's discovery document and JWKS once; for each login, a new person
(an empty cookie jar) starts at the authorization endpoint, follows every redirect, parses
each screen's HTML form and fills in what the screen asks for (the hidden fields it carries,
the answers the person knows, the approve button), until the provider redirects to the
relying party; the relying party then redeems the code at the token endpoint with PKCE and
client_secret_basic and verifies the ID token (signature, iss, aud, nonce, exp). Each client
keeps its own connection and cookie jar.

For each round, each concurrency and each server (interleaved, so drift on a shared machine
touches all alike), `--logins` logins run with that many clients at once. It prints the median
over rounds of logins/s, p50 and p99 latency of one login, requests per login, and the CPU
milliseconds per login that the server and the generator used, then the stub's ratios to each
peer and whether the issue's targets were met. Timings are reported, never asserted.

Every run then says whether anything was lost under load: a login that did not complete on any
server, a 5xx, a login the stub VNeID still holds in progress; exit status 1 if so, 2 when a
server cannot be started. `--check` is a short run (one round, a few logins, 1 and 8 clients)
that also gives the stub a small request log and checks that the log is at its bound.

Traffic goes to loopback only; every round is bounded by its login count and the whole run by
--time-limit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp
import pyotp
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The project root is on the path only now.
from fixtures.pkce import s256  # noqa: E402
from fixtures.servers import Tls, trust_context  # noqa: E402
from tests.interop.node_oidc_provider import NodeIdpError, start_node_oidc_provider  # noqa: E402
from tests.subprocesses import ready_url, stop  # noqa: E402

CLIENT_ID = "vssid"
# Never contacted: the generator stops at the redirect that goes there and reads its query.
REDIRECT_URI = "https://127.0.0.1:9/app/vneid/callback"
SCOPE = "openid profile id_number"
LEVEL2 = "urn:vn:vneid:loa:2"
# The l2_active persona of docs/personas.md (the stub VNeID's built-in data).
STUB_PERSON = {"id_number": "084190012345", "password": "Matkhau@2023", "passcode": "246810"}
MAX_STEPS = 12  # screens and redirects in one login before the generator gives up
READY_TIMEOUT_S = 30.0
CHECK_LOG_LIMIT = 40  # the stub's request log bound in --check (fewer than the run's requests)
SERVERS = ("stub", "mock", "oidc-provider")
TARGETS = {"mock": 1.0, "oidc-provider": 2.5}  # the issue's: stub logins/s ÷ peer's, 8 clients
P99_TARGET_MS = 50.0


# --- the servers ---------------------------------------------------------------------------


@dataclass
class Server:
    """A running identity server and what a relying party knows of it."""

    name: str
    issuer: str
    ca_file: Path
    pid: int
    client_secret: str
    answers: Callable[[], dict[str, str]]  # form field → value, asked afresh for each screen
    extra_params: dict[str, str] = field(default_factory=dict)
    control_token: str | None = None  # the stub's control plane, for --check's counts

    @property
    def basic_auth(self) -> str:
        """client_secret_basic's header value (the ID and secret are URL-safe already)."""
        pair = f"{CLIENT_ID}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(pair).decode()


class ServerError(RuntimeError):
    """A server could not be started."""


def _log_file(folder: Path, name: str) -> Path:
    return folder / f"{name}.log"


@contextlib.contextmanager
def running_stub(folder: Path, *, request_log_limit: int | None = None, root: Path = ROOT,
                 name: str = "stub", defects: tuple[str, ...] = ()) -> Iterator[Server]:
    """`python -m stubs.vneid` (of the checkout at `root`) with TLS and one client, stopped on
    the way out."""
    secret, token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    ca_file, log_file = folder / f"{name}-ca.pem", _log_file(folder, name)
    command = [sys.executable, "-m", "stubs.vneid", "--host", "127.0.0.1", "--port", "0",
               "--tls", "--ca-out", str(ca_file), "--client-id", CLIENT_ID,
               "--redirect-uri", REDIRECT_URI]
    for defect in defects:
        command += ["--defect", defect]
    if request_log_limit is not None:
        config = folder / f"{name}.toml"
        config.write_text(f"request_log_limit = {request_log_limit}\n", "utf-8")
        command += ["--config", str(config)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "VNEID_CLIENT_SECRET": secret,
           "VNEID_CONTROL_TOKEN": token}
    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            issuer = ready_url(process, log_file, what=f"the stub VNeID of {root}",
                               error=ServerError, timeout=READY_TIMEOUT_S,
                               prefix="https://127.0.0.1:")
            yield Server(name, issuer, ca_file, process.pid, secret,
                         lambda: dict(STUB_PERSON), {"acr_values": LEVEL2}, token)
        finally:
            stop(process)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise ServerError("node is not on PATH (the peers are Node servers)")
    return node


@contextlib.contextmanager
def running_mock(folder: Path) -> Iterator[Server]:
    """oauth2-mock-server with TLS, stopped on the way out."""
    script = ROOT / "interop" / "oauth2-mock-server" / "server.mjs"
    if not (ROOT / "node_modules" / "oauth2-mock-server").is_dir():
        raise ServerError("node_modules/oauth2-mock-server is absent: run `make setup`")
    tls, log_file = Tls.issue(folder / "mock-tls"), _log_file(folder, "mock")
    env = {**os.environ, "MOCK_TLS_CERT": str(tls.cert_file), "MOCK_TLS_KEY": str(tls.key_file)}
    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen([_node(), str(script)], cwd=ROOT, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=log, text=True)
        try:
            issuer = ready_url(process, log_file, what="oauth2-mock-server", error=ServerError,
                               timeout=READY_TIMEOUT_S, prefix="https://127.0.0.1:")
            # It takes any client and secret, and shows no screen.
            yield Server("mock", issuer, tls.ca_file, process.pid,
                         secrets.token_urlsafe(24), dict)
        finally:
            stop(process)


@contextlib.contextmanager
def running_oidc_provider(folder: Path) -> Iterator[Server]:
    """oidc-provider as a vendor's VNeID, one client and one level-2 account."""
    _node()
    secret, totp = secrets.token_urlsafe(24), pyotp.random_base32()
    account = {"id_number": "084190012345", "name": "Nguyễn Thị Thu Hà", "level": 2,
               "password": secrets.token_urlsafe(12), "totp_secret": totp}
    try:
        idp = start_node_oidc_provider(folder / "oidc-provider", redirect_uri=REDIRECT_URI,
                                       client_id=CLIENT_ID, client_secret=secret,
                                       accounts=[account])
        with idp as running:
            one_time = pyotp.TOTP(totp)
            yield Server("oidc-provider", running.issuer, running.ca_file, running.pid, secret,
                         lambda: {"login": account["id_number"], "pwd": account["password"],
                                  "otp": one_time.now()})
    except NodeIdpError as exc:
        raise ServerError(str(exc)) from exc


STARTERS: dict[str, Callable[[Path], contextlib.AbstractContextManager[Server]]] = {
    "stub": running_stub, "mock": running_mock, "oidc-provider": running_oidc_provider}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Resident memory of a process, KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- the relying party and its users -------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """One HTML form of a screen, as a browser would submit it."""

    action: str
    method: str
    inputs: list[tuple[str, str, str]]  # (name, type, value)
    buttons: list[tuple[str, str]]  # named submit buttons: (name, value)


def read_forms(html: str) -> list[Form]:
    """The forms of a page: their action, method, inputs and named submit buttons."""
    forms = []
    for node in LexborHTMLParser(html).css("form"):
        attributes = node.attributes
        inputs, buttons = [], []
        for control in node.css("input, button"):
            named = control.attributes
            name = named.get("name")
            if not name:
                continue
            if control.tag == "input":
                inputs.append((name, (named.get("type") or "text").lower(),
                               named.get("value") or ""))
            elif (named.get("type") or "submit").lower() == "submit":
                buttons.append((name, named.get("value") or ""))
        forms.append(Form(attributes.get("action") or "",
                          (attributes.get("method") or "get").lower(), inputs, buttons))
    return forms


class LoginFailed(RuntimeError):
    """A login did not end in a verified ID token; says at which step and why."""


@dataclass
class Provider:
    """What the relying party learned once from discovery."""

    server: Server
    authorization_endpoint: str
    token_endpoint: str
    keys: KeySet
    algorithms: list[str]  # id_token_signing_alg_values_supported


@dataclass
class Tally:
    """What one round saw besides timings."""

    requests: int = 0
    server_errors: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """One HTTP response, read whole."""

    status: int
    url: str
    location: str | None
    text: str

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and self.location is not None


def browser(verify: ssl.SSLContext) -> aiohttp.ClientSession:
    """One client: its own connection and cookie jar (cookies of 127.0.0.1 kept too)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=verify, limit=1),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=30))


async def discover(client: aiohttp.ClientSession, server: Server) -> Provider:
    async with client.get(f"{server.issuer}/.well-known/openid-configuration") as response:
        metadata = await response.json()
    async with client.get(metadata["jwks_uri"]) as response:
        jwks = await response.json(content_type=None)
    return Provider(server, metadata["authorization_endpoint"], metadata["token_endpoint"],
                    KeySet.import_key_set(jwks),
                    metadata.get("id_token_signing_alg_values_supported", ["RS256"]))


def fill(form: Form, answers: dict[str, str]) -> dict[str, str]:
    """What a person submits on this form: its hidden values, what they know, and approve."""
    data: dict[str, str] = {}
    for name, kind, value in form.inputs:
        if kind in ("hidden", "submit"):
            data[name] = value
        elif kind in ("checkbox", "radio"):
            continue
        elif name in answers:
            data[name] = answers[name]
        else:
            raise LoginFailed(f"the screen asks for {name!r}, which the person does not know")
    for name, value in form.buttons:
        if value in ("approve", "accept", "allow", "yes"):
            data[name] = value
            break
    return data


async def send(client: aiohttp.ClientSession, tally: Tally, method: str, url: str,
               **kwargs: object) -> Answer:
    tally.requests += 1
    async with client.request(method, url, allow_redirects=False, **kwargs) as response:
        answer = Answer(response.status, str(response.url), response.headers.get("location"),
                        await response.text())
    if answer.status >= 500:
        tally.server_errors += 1
        raise LoginFailed(f"{method} {urlsplit(url).path} answered HTTP {answer.status}")
    return answer


async def one_login(client: aiohttp.ClientSession, provider: Provider, tally: Tally) -> None:
    """A new person logs in; the relying party redeems the code and verifies the ID token."""
    server = provider.server
    client.cookie_jar.clear()
    verifier, state, nonce = (secrets.token_urlsafe(48), secrets.token_urlsafe(24),
                              secrets.token_urlsafe(16))
    query = urlencode({"response_type": "code", "client_id": CLIENT_ID,
                       "redirect_uri": REDIRECT_URI, "scope": SCOPE, "state": state,
                       "nonce": nonce, "code_challenge": s256(verifier),
                       "code_challenge_method": "S256", **server.extra_params})
    response = await send(client, tally, "GET", f"{provider.authorization_endpoint}?{query}")
    for _ in range(MAX_STEPS):
        url = response.url
        if response.is_redirect:
            location = urljoin(url, response.location)
            if location.startswith(REDIRECT_URI):
                break
            response = await send(client, tally, "GET", location)
            continue
        forms = [f for f in read_forms(response.text) if f.method == "post"]
        if response.status != 200 or not forms:
            raise LoginFailed(f"{urlsplit(url).path}: HTTP {response.status} with no form")
        data = fill(forms[0], server.answers())
        response = await send(client, tally, "POST", urljoin(url, forms[0].action), data=data)
    else:
        raise LoginFailed(f"no hand-back to the relying party in {MAX_STEPS} steps")
    params = parse_qs(urlsplit(location).query)
    if params.get("state") != [state] or "code" not in params:
        raise LoginFailed(f"the hand-back has no code or another state ({sorted(params)})")
    token = await send(client, tally, "POST", provider.token_endpoint,
                       headers={"Authorization": server.basic_auth},
                       data={"grant_type": "authorization_code", "code": params["code"][0],
                             "redirect_uri": REDIRECT_URI, "code_verifier": verifier})
    tokens = json.loads(token.text) if token.status == 200 else {}
    if "id_token" not in tokens:
        raise LoginFailed(f"token request: HTTP {token.status}")
    try:
        claims = jwt.decode(tokens["id_token"], provider.keys,
                            algorithms=provider.algorithms).claims
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": server.issuer},
                              aud={"essential": True, "value": CLIENT_ID},
                              nonce={"essential": True, "value": nonce},
                              exp={"essential": True}).validate(claims)
    except JoseError as exc:
        raise LoginFailed(f"the ID token does not verify: {exc}") from exc


# --- rounds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One round of one server at one concurrency."""

    logins: int
    logins_per_second: float
    p50_ms: float
    p99_ms: float
    requests_per_login: float
    server_cpu_ms: float  # per login
    generator_cpu_ms: float  # per login
    server_errors: int
    failures: tuple[str, ...]


def quantile(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p99 of a small sample is its tail)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


async def run_round(provider: Provider, verify: ssl.SSLContext, logins: int,
                    concurrency: int) -> Round:
    """`logins` logins shared by `concurrency` clients working at once."""
    remaining = iter(range(logins))
    latencies: list[float] = []
    tally = Tally()
    server = provider.server

    async def worker() -> None:
        async with browser(verify) as client:
            for _ in remaining:  # one shared iterator: the clients take logins until none left
                begun = time.perf_counter()
                try:
                    await one_login(client, provider, tally)
                except (LoginFailed, aiohttp.ClientError, TimeoutError, ValueError) as exc:
                    tally.failures.append(f"{type(exc).__name__}: {exc}")
                else:
                    latencies.append(time.perf_counter() - begun)

    server_cpu, own_cpu = cpu_seconds(server.pid), time.process_time()
    begun = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begun
    done = max(1, len(latencies))
    return Round(len(latencies), len(latencies) / elapsed, quantile(latencies, 0.5) * 1000,
                 quantile(latencies, 0.99) * 1000, tally.requests / max(1, logins),
                 (cpu_seconds(server.pid) - server_cpu) * 1000 / done,
                 (time.process_time() - own_cpu) * 1000 / done,
                 tally.server_errors, tuple(tally.failures))


async def stub_counts(server: Server, verify: ssl.SSLContext) -> dict[str, int]:
    """The stub VNeID's own counts (GET /_stub/state), never a value."""
    async with browser(verify) as client, client.get(
            f"{server.issuer}/_stub/state",
            headers={"Authorization": f"Bearer {server.control_token}"}) as response:
        response.raise_for_status()
        body = await response.json()
        return body.get("counters", body)


@dataclass
class Run:
    """Every round of a run, and what the stub held at its end."""

    rounds: dict[tuple[str, int], list[Round]]
    stub_counts: dict[str, int] | None = None
    stub_rss_kib: tuple[int, int] | None = None  # before the first round, after the last
    stopped_early: bool = False


async def benchmark(servers: list[Server], args: argparse.Namespace) -> Run:
    verify = trust_context(tuple(sorted({str(s.ca_file) for s in servers})))
    providers = []
    async with browser(verify) as client:
        for server in servers:
            providers.append(await discover(client, server))
    run = Run({(s.name, c): [] for c in args.concurrency for s in servers})
    for provider in providers:  # warm-up: imports, key material, first handshakes
        await run_round(provider, verify, 4, 1)
    stub = next((s for s in servers if s.name == "stub"), None)
    rss_before = rss_kib(stub.pid) if stub else 0
    deadline = time.monotonic() + args.time_limit
    for _ in range(args.rounds):
        for concurrency in args.concurrency:
            for provider in providers:
                if time.monotonic() > deadline:
                    print(f"time limit of {args.time_limit:.0f} s reached; stopping",
                          file=sys.stderr)
                    run.stopped_early = True
                    break
                run.rounds[(provider.server.name, concurrency)].append(
                    await run_round(provider, verify, args.logins, concurrency))
    if stub:
        run.stub_counts = await stub_counts(stub, verify)
        run.stub_rss_kib = (rss_before, rss_kib(stub.pid))
    return run


# --- report and check ----------------------------------------------------------------------


def median(rounds: list[Round], attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in rounds)


def report(run: Run, args: argparse.Namespace) -> str:
    lines = [f"{args.logins} complete logins per round, median of rounds "
             "(loopback, TLS, one generator)", "",
             f"{'server':<14} {'clients':>7} {'rounds':>6} {'logins/s':>9} {'p50 ms':>8} "
             f"{'p99 ms':>8} {'req/login':>9} {'server CPU':>10} {'gen CPU':>8}",
             f"{'':<14} {'':>7} {'':>6} {'':>9} {'':>8} {'':>8} {'':>9} "
             f"{'ms/login':>10} {'ms/login':>8}"]
    for (name, concurrency), rounds in run.rounds.items():
        if not rounds:
            continue
        lines.append(
            f"{name:<14} {concurrency:>7} {len(rounds):>6} "
            f"{median(rounds, 'logins_per_second'):>9.1f} {median(rounds, 'p50_ms'):>8.1f} "
            f"{median(rounds, 'p99_ms'):>8.1f} {median(rounds, 'requests_per_login'):>9.1f} "
            f"{median(rounds, 'server_cpu_ms'):>10.2f} {median(rounds, 'generator_cpu_ms'):>8.2f}")
    lines += ["", "stub ÷ peer, logins/s (and server CPU per login, peer ÷ stub):"]
    for concurrency in args.concurrency:
        stub = run.rounds.get(("stub", concurrency))
        for peer in ("mock", "oidc-provider", "baseline"):
            other = run.rounds.get((peer, concurrency))
            if not (stub and other):
                continue
            if not (median(other, "logins_per_second") and median(stub, "server_cpu_ms")):
                continue  # no login completed there: no ratio to give
            ratio = median(stub, "logins_per_second") / median(other, "logins_per_second")
            cpu = median(other, "server_cpu_ms") / median(stub, "server_cpu_ms")
            target = TARGETS.get(peer) if concurrency == 8 else None
            verdict = "" if target is None else (
                f"   target ≥ {target:.1f}×: {'met' if ratio >= target else 'missed'}")
            lines.append(f"  {concurrency} client(s) vs {peer:<14} {ratio:5.2f}×   "
                         f"(CPU {cpu:4.2f}×){verdict}")
    stub8 = run.rounds.get(("stub", 8))
    if stub8:
        p99 = median(stub8, "p99_ms")
        lines.append(f"  stub p99 at 8 clients: {p99:.1f} ms   target ≤ {P99_TARGET_MS:.0f} ms: "
                     f"{'met' if p99 <= P99_TARGET_MS else 'missed'}")
    if run.stub_counts is not None:
        held = ", ".join(f"{k} {v}" for k, v in run.stub_counts.items())
        lines += ["", f"the stub holds at the end: {held}"]
    if run.stub_rss_kib:
        before, after = run.stub_rss_kib
        lines.append(f"the stub's resident memory: {before / 1024:.1f} MiB before the rounds, "
                     f"{after / 1024:.1f} MiB after")
    failures = [(key, f) for key, rounds in run.rounds.items() for r in rounds for f in r.failures]
    if failures:
        lines += ["", f"{len(failures)} login(s) failed; the first:"]
        lines += [f"  {name} at {c} client(s): {why}" for (name, c), why in failures[:5]]
    return "\n".join(lines)


def problems(run: Run, *, log_limit: int | None) -> list[str]:
    """What --check refuses: anything lost or broken under load. Never a timing."""
    found = []
    for (name, concurrency), rounds in run.rounds.items():
        if not rounds:
            found.append(f"{name} at {concurrency} client(s): no round ran")
        for r in rounds:
            if r.server_errors:
                found.append(f"{name} at {concurrency} client(s): {r.server_errors} "
                             "response(s) with a 5xx status")
            if r.failures:
                found.append(f"{name} at {concurrency} client(s): {len(r.failures)} login(s) "
                             f"did not complete, first: {r.failures[0]}")
    counts = run.stub_counts
    if counts is not None:
        if counts.get("transactions", 0):
            found.append(f"the stub still holds {counts['transactions']} login(s) in progress "
                         "after every login completed")
        if log_limit is not None and counts.get("requests") != log_limit:
            found.append(f"the stub's request log holds {counts.get('requests')} entries; "
                         f"its bound is {log_limit} and the run sent more requests than that")
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=300, help="logins per round (1–5000)")
    parser.add_argument("--concurrency", default="1,8",
                        type=lambda s: [int(c) for c in s.split(",")],
                        help="comma-separated numbers of concurrent clients (each 1–64)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (1–20)")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        type=lambda s: [n.strip() for n in s.split(",") if n.strip()],
                        help=f"which servers, comma-separated, of {', '.join(SERVERS)}")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds, whole run")
    parser.add_argument("--check", action="store_true",
                        help="a short run asserting only what is not timed (see above)")
    parser.add_argument("--json", type=Path, help="also write every round to this file")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also run the stub VNeID of another checkout of this repository "
                             "(say, a `git worktree` of the last release), as `baseline`, for "
                             "before/after ratios in the same run")
    parser.add_argument("--stub-defect", action="append", default=[], metavar="NAME",
                        help="switch on a seeded defect of the stub VNeID (repeatable; the kit's "
                             "own tests prove with it that --check can fail)")
    args = parser.parse_args(argv)
    if args.check:
        args.logins, args.rounds, args.concurrency = 16, 1, [1, 8]
    if not (1 <= args.logins <= 5000 and 1 <= args.rounds <= 20
            and all(1 <= c <= 64 for c in args.concurrency)):
        parser.error("--logins must be 1–5000, --rounds 1–20 and each concurrency 1–64")
    if args.baseline is not None and not (args.baseline / "stubs" / "vneid").is_dir():
        parser.error(f"--baseline {args.baseline}: not a checkout of this repository "
                     "(it has no stubs/vneid)")
    unknown = sorted(set(args.servers) - set(SERVERS))
    if unknown or not args.servers:
        parser.error(f"--servers: unknown {unknown}; choose from {', '.join(SERVERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log_limit = CHECK_LOG_LIMIT if args.check else None
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder, \
            contextlib.ExitStack() as stack:
        try:
            servers = []
            for name in args.servers:
                starter = STARTERS[name]
                if name == "stub":
                    servers.append(stack.enter_context(running_stub(
                        Path(folder), request_log_limit=log_limit,
                        defects=tuple(args.stub_defect))))
                else:
                    servers.append(stack.enter_context(starter(Path(folder))))
            if args.baseline is not None:
                servers.append(stack.enter_context(running_stub(
                    Path(folder), root=args.baseline.resolve(), name="baseline")))
        except ServerError as exc:
            print(f"cannot start the servers: {exc}", file=sys.stderr)
            return 2
        run = asyncio.run(benchmark(servers, args))
    print(report(run, args))
    if args.json:
        args.json.write_text(json.dumps(
            {f"{name}@{c}": [r.__dict__ for r in rounds]
             for (name, c), rounds in run.rounds.items()}, indent=1, default=list), "utf-8")
    # What is lost or broken under load is a failure of any run, timings never are.
    found = problems(run, log_limit=log_limit if args.check else None)
    print(("\ncheck: " if args.check else "\nunder load: ")
          + ("; ".join(found) if found else "nothing lost, no 5xx, no login left in progress"
             + (", the stub's request log at its bound" if args.check else "")))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
