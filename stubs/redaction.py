"""One redaction, built on parsing, for everything the stubs log or record (and the kit reports).

Secrets — codes, tokens, `state`, `nonce`, PKCE verifiers, passwords, passcodes, client secrets,
session cookies — are found by the grammar that carries them, not by their shape alone:

- URLs, absolute or relative, and `key=value&...` form bodies or log words: each parameter's
  name is percent-decoded (`st%61te` is `state`, `&amp;state` in HTML is `state`), repeated
  names are each redacted, and a value runs to where the grammar ends it — `&`, `#`,
  whitespace, a quote, `<`, `>`, a backtick or a backslash — never at `;`, `,` or `.`. A
  non-secret value that percent-decodes to text holding a secret (a `redirect_uri` carrying a
  `code`) is redacted inside and re-encoded;
- `Cookie:` (every value), `Set-Cookie:` (the cookie's value, attributes kept) and
  `Authorization:` (the credentials, the scheme kept) header lines, and `Basic …`/`Bearer …`
  credentials anywhere;
- JSON embedded in text (every `{...}` / `[...]` that `json` decodes, walked by key, its
  strings redacted in turn) and JSON-ish or Python reprs that do not decode — a snippet cut
  short, `{'state': ['…']}`, `code='abc'`, `"state": "…`, `state=…` in a dataclass repr;
- quoted strings holding escapes (`\\u0026`, `\\"`): decoded, redacted, re-encoded;
- `<input name="tx" value="…">` in HTML, and a password in a URL's userinfo;
- anything shaped like a JWT, JWS (3 parts) or JWE (5 parts).

A secret name is one of SECRET_NAMES or SECRET_HEADERS, or ends in `_token`, `_secret`,
`_password`, `_passcode` or `_session` (compared lower-case, `-` as `_`).

Every value replaced is handed to `on_secret(kind, value)` (the kind is the parameter's name,
or `cookie`, `authorization`, `jwt`): the stubs' functions below pass it to SECRET_WITNESSES,
the hooks whoever runs the stubs registers (the kit's secret ledger, which proves no value it
learnt reaches a report). The stubs also call `witness()` where they issue or receive a secret.

Stdlib only: the stubs import nothing of the kit, and the kit's fixtures/redaction.py is this.
"""

from __future__ import annotations

import ast
import contextlib
import html
import json
import logging
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

REDACTED = "[redacted]"

# Parameter, JSON key and cookie names whose values never reach a log or a report.
SECRET_NAMES = frozenset({
    "code", "state", "nonce", "code_verifier", "code_challenge", "access_token", "id_token",
    "refresh_token", "password", "passcode", "client_secret", "tx", "session", "token",
    "vssid_session", "vssid_attempt", "session_state", "id_token_hint", "client_assertion",
    "assertion", "control_token", "secret",
    # A device farm's credentials (`accessKey` of bstack:options, sauce:options, LT:Options).
    "accesskey", "access_key", "apikey", "api_key",
})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# What a redacted value reads as: the marker, the vssid stub's old one, a request-log fingerprint.
MARKER = re.compile(r"\[(?:redacted|REDACTED)(?::[0-9a-f]{8})?\]")
_SECRET_SUFFIXES = ("_token", "_secret", "_password", "_passcode", "_session")
_NORMALIZED_HEADERS = frozenset(h.replace("-", "_") for h in SECRET_HEADERS)

# Who wants to know each secret the stubs issue, receive or redact: callables (kind, value).
SECRET_WITNESSES: list[Callable[[str, str], None]] = []

OnSecret = Callable[[str, str], None]


def witness(kind: str, value: object) -> None:
    """Tell every registered witness about one secret value (a stub issued or received it)."""
    if not isinstance(value, str) or not value:
        return
    for hook in list(SECRET_WITNESSES):
        with contextlib.suppress(Exception):  # a witness must never break the stub it watches
            hook(kind, value)


# What redaction replaces is not always a secret: over-redacted source lines in a traceback
# (`code_verifier=verifier`, `state={state}`), a cut-short repr (`abc...`), plain words.
_NOT_A_SECRET = re.compile(r"[a-z_][a-z_.]*|.*[\s{}()].*|.*\.\.\.|\W*")


def looks_like_a_secret(value: str) -> bool:
    """Whether a value redaction replaced is worth remembering as a secret someone knew."""
    return not _NOT_A_SECRET.fullmatch(value)


def witness_observed(kind: str, value: str) -> None:
    """`witness` for what redaction replaced: only values that look like secrets."""
    if looks_like_a_secret(value):
        witness(kind, value)


def normalize_name(name: str) -> str:
    """A parameter/key name as compared: percent-decoded, lower-case, `-` as `_`, no `amp;`."""
    name = unquote_plus(name).strip().strip("\"'").lower()
    while name.startswith("amp;"):
        name = name[4:]
    return name.replace("-", "_")


def is_secret_name(name: str) -> bool:
    """Whether a parameter, key, header or cookie of this name holds a secret."""
    key = normalize_name(name)
    return (key in SECRET_NAMES or key in _NORMALIZED_HEADERS
            or key.endswith(_SECRET_SUFFIXES))


# --- the grammar ---------------------------------------------------------------------------

_NAME_CHARS = r"\w.%~+\[\]-"
# name=value: a query or fragment parameter, a form field, a word in a log line.
_PAIR = re.compile(rf"(?<![{_NAME_CHARS}])(?P<name>[{_NAME_CHARS}]+)=(?P<value>[^&#\s\"'<>`\\]*)")
_QUOTED = r"(?P<q>[\"'])(?P<body>(?:[^\\\n]|\\.)*?)(?:(?P=q)|$)"
# 'name': value / "name": value (JSON, dict reprs) — the value a string (maybe cut short), a
# list/dict, or a bare scalar.
_KEYED = re.compile(r"(?P<kq>[\"'])(?P<name>[\w.-]+)(?P=kq)\s*:\s*", re.MULTILINE)
# name='value' / name="value" (dataclass and keyword reprs).
_KWARG = re.compile(rf"(?<![\w.-])(?P<name>[A-Za-z_][\w-]*)\s*=\s*{_QUOTED}", re.MULTILINE)
_STRING_AT = re.compile(_QUOTED, re.MULTILINE)
_SCALAR_AT = re.compile(r"-?[\w.+-]+")
# A quoted string; one holding an escape may hide, decoded, what the raw text does not show.
_STRING_TOKEN = re.compile(r"(?P<q>[\"'])(?:[^\\\n]|\\.)*?(?P=q)")
_COOKIE_LINE = re.compile(r"(?im)(?<![\w-])(?P<name>set-cookie|cookie)[ \t]*:[ \t]*"
                          r"(?P<value>[^\r\n]*)")
_AUTHORIZATION = re.compile(r"(?i)(?<![\w-])(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*"
                            r"[\"']?(?:(?P<scheme>[A-Za-z][\w-]*)[ \t]+)?"
                            r"(?P<value>[^\s\"',;]+)")
# `Basic …` / `Bearer …` anywhere; the credential has a digit or symbol, or is long (not a word).
_CREDENTIALS = re.compile(r"\b(?:Basic|Bearer|DPoP)[ \t]+(?P<value>(?=[A-Za-z]*[0-9+/=._~-])"
                          r"[A-Za-z0-9+/=._~-]{8,}|[A-Za-z]{20,})")
_JWT = re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}")
_INPUT_TAG = re.compile(r"(?is)<input\b[^>]*>")
_ATTRIBUTE = re.compile(r"(?is)(?P<name>[\w:-]+)\s*=\s*(?:\"(?P<d>[^\"]*)\"|'(?P<s>[^']*)'"
                        r"|(?P<u>[^\s>]+))")
_USERINFO = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:(?P<value>[^/\s@\"']+)@")
_JSON_START = re.compile(r"[{\[]\s*[\"{\[\]}]")
_MAX_BALANCED = 200_000


class _Span:
    """One region of the text to replace; `complete` spans already hold a full redaction."""

    __slots__ = ("complete", "end", "replacement", "start")

    def __init__(self, start: int, end: int, replacement: str, complete: bool = False) -> None:
        self.start, self.end, self.replacement, self.complete = start, end, replacement, complete


class Redactor:
    """The redaction functions, with one marker and one `on_secret(kind, value)` callback."""

    def __init__(self, *, marker: str = REDACTED, on_secret: OnSecret | None = None,
                 replace: Callable[[str, str], str] | None = None) -> None:
        self.marker = marker
        self.on_secret = on_secret
        # What replaces one secret value (the stub VNeID's request log fingerprints some).
        self._replace = replace

    # -- values --------------------------------------------------------------------------

    def secret(self, kind: str, value: str) -> str:
        """The marker for one secret value, which the callback learns first (a value that is
        already a marker, or a stub's fingerprint, stays as it is)."""
        if MARKER.fullmatch(value) or MARKER.fullmatch(unquote_plus(value)):
            return value
        if self.on_secret is not None and value:
            with contextlib.suppress(Exception):  # redaction never fails on its callback
                self.on_secret(normalize_name(kind) or kind, value)
        return self._replace(kind, value) if self._replace else self.marker

    def _remember_all(self, kind: str, value: object) -> None:
        """Every string inside a value kept under a secret key (a list, an object)."""
        if isinstance(value, str):
            self.secret(kind, value)
        elif isinstance(value, dict):
            for item in value.values():
                self._remember_all(kind, item)
        elif isinstance(value, list | tuple):
            for item in value:
                self._remember_all(kind, item)

    # -- structured input ----------------------------------------------------------------

    def pairs(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Form or query pairs (decoded) with secret values replaced, others redacted as text."""
        return [(k, self.secret(k, v) if is_secret_name(k) else self.text(v)) for k, v in pairs]

    def query(self, query: str) -> str:
        """A raw (encoded) query string or form body; what is not secret stays as written."""
        if "=" not in query:
            return query
        pieces = []
        for piece in query.split("&"):
            name, sep, value = piece.partition("=")
            if not sep:
                pieces.append(piece)
            elif is_secret_name(name):
                pieces.append(f"{name}={self.secret(name, unquote_plus(value))}")
            else:
                pieces.append(f"{name}={self._nested(value)}")
        return "&".join(pieces)

    def _nested(self, value: str) -> str:
        """A non-secret encoded value, redacted inside if it decodes to text holding secrets."""
        if "%" not in value and "+" not in value:
            redacted = self.text(value)
            return value if redacted == value else redacted
        decoded = unquote_plus(value)
        redacted = self.text(decoded)
        return value if redacted == decoded else quote(redacted, safe="[]")

    def url(self, url: str) -> str:
        """A URL whose secret query and fragment parameters (and userinfo password) are replaced."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.text(url)
        netloc = parts.netloc
        if "@" in netloc and ":" in netloc.rpartition("@")[0]:
            userinfo, _, host = netloc.rpartition("@")
            user, _, password = userinfo.partition(":")
            netloc = f"{user}:{self.secret('password', unquote_plus(password))}@{host}"
        query = self.query(parts.query)
        fragment = self.query(parts.fragment) if "=" in parts.fragment else parts.fragment
        if (netloc, query, fragment) == (parts.netloc, parts.query, parts.fragment):
            return url
        return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=fragment))

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        """Headers with credentials and cookie values replaced (scheme, cookie names kept)."""
        shown = {}
        for name, value in headers.items():
            key = name.lower()
            if key in ("authorization", "proxy-authorization"):
                scheme, space, credentials = value.strip().partition(" ")
                shown[name] = (f"{scheme} {self.secret('authorization', credentials.strip())}"
                               if space and credentials.strip()
                               else self.secret("authorization", value))
            elif key == "cookie":
                shown[name] = self._cookie_value(value, every=True)
            elif key == "set-cookie":
                shown[name] = self._cookie_value(value, every=False)
            elif is_secret_name(key):
                shown[name] = self.secret(key, value)
            else:
                shown[name] = self.text(value)
        return shown

    def _cookie_value(self, value: str, *, every: bool) -> str:
        """`a=1; b=2` (Cookie: every value) or `a=1; Path=/` (Set-Cookie: the first value)."""
        pieces = []
        for index, piece in enumerate(value.split(";")):
            name, sep, raw = piece.partition("=")
            if sep and raw.strip() and (every or index == 0):
                kind = name.strip() if is_secret_name(name) else "cookie"
                pieces.append(f"{name}={self.secret(kind, raw.strip().strip(chr(34)))}")
            else:
                pieces.append(piece)
        return ";".join(pieces)

    def json(self, value):
        """A JSON value whose secret keys are replaced at any depth, its strings redacted."""
        if isinstance(value, dict):
            shown = {}
            for key, item in value.items():
                if isinstance(key, str) and is_secret_name(key) and item not in (None, ""):
                    self._remember_all(key, item)
                    shown[key] = self.marker if not isinstance(item, str) else self.secret(key,
                                                                                         item)
                else:
                    shown[key] = self.json(item)
            return shown
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return self.text(value) if isinstance(value, str) else value

    # -- free text -----------------------------------------------------------------------

    def text(self, text: str) -> str:
        """Free text with every secret the grammar above finds replaced."""
        if not isinstance(text, str) or len(text) < 3:
            return text
        spans: list[_Span] = []
        self._json_documents(text, spans)
        self._escaped_strings(text, spans)
        self._keyed(text, spans)
        self._kwargs(text, spans)
        self._pairs(text, spans)
        self._headers(text, spans)
        self._inputs(text, spans)
        self._shapes(text, spans)
        return _apply(text, spans, self.marker) if spans else text

    def _json_documents(self, text: str, spans: list[_Span]) -> None:
        if "{" not in text and "[" not in text:
            return
        decoder = json.JSONDecoder()
        position = 0
        for match in _JSON_START.finditer(text):
            start = match.start()
            if start < position:
                continue
            try:
                value, end = decoder.raw_decode(text, start)
            except ValueError:
                continue
            position = end
            redacted = self.json(value)
            if redacted != value:
                region = text[start:end]
                indent = _indent_of(region)
                spans.append(_Span(start, end, json.dumps(
                    redacted, ensure_ascii="\\u" in region and not _has_non_ascii(region),
                    indent=indent), complete=True))

    def _escaped_strings(self, text: str, spans: list[_Span]) -> None:
        if "\\" not in text:
            return
        for match in _STRING_TOKEN.finditer(text):
            token = match.group(0)
            if "\\" not in token:
                continue
            decoded = _decode_string(token)
            if decoded is None:
                continue
            redacted = self.text(decoded)
            if redacted != decoded:
                spans.append(_Span(match.start(), match.end(),
                                   _encode_like(token, redacted), complete=True))

    def _keyed(self, text: str, spans: list[_Span]) -> None:
        for match in _KEYED.finditer(text):
            name = match.group("name")
            if not is_secret_name(name):
                continue
            self._value_at(text, match.end(), name, spans)

    def _kwargs(self, text: str, spans: list[_Span]) -> None:
        # A harmless `name='…'` may be a misreading: base64 inside a string ends in `=`, so the
        # "value" runs to the next quote and can swallow a real `token='…'` after it. So after
        # a harmless match the scan goes on inside its value, not after it.
        position = 0
        while (match := _KWARG.search(text, position)) is not None:
            name, body = match.group("name"), match.group("body")
            if is_secret_name(name) and body:
                spans.append(_Span(match.start("body"), match.end("body"),
                                   self.secret(name, _unescape(body))))
                position = match.end()
            else:
                position = max(match.start("body"), match.start() + 1)

    def _value_at(self, text: str, position: int, name: str, spans: list[_Span]) -> None:
        """The value of a secret key starting at `position`: a string, a container, a scalar."""
        if position >= len(text):
            return
        first = text[position]
        if first in "\"'":
            match = _STRING_AT.match(text, position)
            if match and match.group("body"):
                spans.append(_Span(match.start("body"), match.end("body"),
                                   self.secret(name, _unescape(match.group("body")))))
        elif first in "[{(":
            end = _balanced_end(text, position)
            if end > position + 2:
                region = text[position:end]
                bodies = [_unescape(m.group("body")) for m in _STRING_AT.finditer(region)]
                rest = _STRING_AT.sub("", region).strip("[]{}(), \t\n")
                if not rest and all(MARKER.fullmatch(b) for b in bodies):
                    return  # already redacted (a stub's fingerprints)
                for body in bodies:
                    if body:
                        self.secret(name, body)
                quote_char = "'" if text[position - 1::-1].lstrip(" \t:").startswith("'") \
                    else '"'
                spans.append(_Span(position, end, f"{quote_char}{self.marker}{quote_char}"))
        else:
            match = _SCALAR_AT.match(text, position)
            if match and match.group(0) not in ("null", "None", "true", "false", "True",
                                                "False"):
                spans.append(_Span(match.start(), match.end(),
                                   self.secret(name, match.group(0))))

    def _pairs(self, text: str, spans: list[_Span]) -> None:
        if "=" not in text:
            return
        for match in _PAIR.finditer(text):
            value = match.group("value")
            end = match.end("value")
            while value.endswith(")") and value.count(")") > value.count("("):
                value, end = value[:-1], end - 1  # `f(state=x)`: the call's parenthesis
            if not value or MARKER.match(value):
                continue
            name = match.group("name")
            if is_secret_name(name):
                spans.append(_Span(match.start("value"), end,
                                   self.secret(name, unquote_plus(value))))
                trimmed = value.rstrip(";,.)")
                if trimmed and trimmed != value:  # the grammar runs on; the ledger learns both
                    self.secret(name, unquote_plus(trimmed))
            elif "%" in value or "=" in value:
                nested = self._nested(value)
                if nested != value:
                    spans.append(_Span(match.start("value"), end, nested, complete=True))

    def _headers(self, text: str, spans: list[_Span]) -> None:
        lowered = text.lower()
        if "cookie" in lowered:
            for match in _COOKIE_LINE.finditer(text):
                every = match.group("name").lower() == "cookie"
                value = match.group("value")
                shown = self._cookie_value(value, every=every)
                if shown != value:
                    spans.append(_Span(match.start("value"), match.end("value"), shown))
        if "authorization" in lowered:
            for match in _AUTHORIZATION.finditer(text):
                if match.group("value") != self.marker:
                    spans.append(_Span(match.start("value"), match.end("value"),
                                       self.secret("authorization", match.group("value"))))
        for match in _CREDENTIALS.finditer(text):
            if match.group("value") != self.marker:
                spans.append(_Span(match.start("value"), match.end("value"),
                                   self.secret("authorization", match.group("value"))))

    def _inputs(self, text: str, spans: list[_Span]) -> None:
        if "<input" not in text and "<INPUT" not in text:
            return
        for tag in _INPUT_TAG.finditer(text):
            attributes = {m.group("name").lower(): m for m in _ATTRIBUTE.finditer(tag.group(0))}
            named, value = attributes.get("name"), attributes.get("value")
            if named is None or value is None:
                continue
            name = named.group("d") or named.group("s") or named.group("u") or ""
            group = next(g for g in ("d", "s", "u") if value.group(g) is not None)
            if is_secret_name(name) and value.group(group):
                start = tag.start() + value.start(group)
                spans.append(_Span(start, tag.start() + value.end(group),
                                   self.secret(name, html.unescape(value.group(group)))))

    def _shapes(self, text: str, spans: list[_Span]) -> None:
        if "eyJ" in text:
            for match in _JWT.finditer(text):
                spans.append(_Span(match.start(), match.end(), self.secret("jwt", match.group(0))))
        if "://" in text and "@" in text:
            for match in _USERINFO.finditer(text):
                spans.append(_Span(match.start("value"), match.end("value"),
                                   self.secret("password", unquote_plus(match.group("value")))))


class RedactingFilter(logging.Filter):
    """Rewrites every record's message (arguments merged in) through the redaction."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or STUBS

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = self.redactor.text(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter: the formatted text (message, exception, stack) redacted; the record
    itself untouched, for the handlers and tests that read it raw."""

    def __init__(self, inner: logging.Formatter | None, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.redactor = redactor or STUBS

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.text(self.inner.format(record))

    def __getattr__(self, name: str):  # what pytest's handlers ask of their formatter
        return getattr(self.inner, name)


# --- helpers -------------------------------------------------------------------------------

def _apply(text: str, spans: list[_Span], marker: str) -> str:
    """Replace the spans. A span inside another is already in the outer one's replacement —
    except a secret's whole value inside a `complete` re-encoding of it, which wins; spans
    that only overlap become one marker."""
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[_Span] = []
    for span in spans:
        if span.end <= span.start:
            continue
        if not merged or span.start >= merged[-1].end:
            merged.append(span)
            continue
        last = merged[-1]
        if span.end <= last.end:
            if (last.complete and not span.complete and span.start <= last.start + 1
                    and span.end >= last.end - 1):
                merged[-1] = _Span(last.start, last.end,
                                   text[last.start:span.start] + span.replacement
                                   + text[span.end:last.end])
            continue
        quote_char = text[last.start] if text[last.start] in "\"'" else ""
        replacement = (f"{quote_char}{marker}{quote_char}"
                       if quote_char and text[span.end - 1] == quote_char else marker)
        merged[-1] = _Span(last.start, span.end, replacement)
    pieces, position = [], 0
    for span in merged:
        pieces.append(text[position:span.start])
        pieces.append(span.replacement)
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def _balanced_end(text: str, start: int) -> int:
    """The end of the bracketed value opening at `start` (quotes respected), or -1."""
    pairs = {"[": "]", "{": "}", "(": ")"}
    stack: list[str] = []
    index, limit = start, min(len(text), start + _MAX_BALANCED)
    while index < limit:
        char = text[index]
        if char in "\"'":
            match = _STRING_AT.match(text, index)
            index = match.end() if match else index + 1
            continue
        if char in pairs:
            stack.append(pairs[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return index + 1
        elif char in ")]}":
            return -1
        index += 1
    return -1


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    decoded = _decode_string('"' + body.replace('"', '\\"') + '"')
    return decoded if decoded is not None else body


def _decode_string(token: str) -> str | None:
    """The text of a quoted JSON or Python string literal, if it is one."""
    if token.startswith('"'):
        try:
            value = json.loads(token)
            return value if isinstance(value, str) else None
        except ValueError:
            pass
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _encode_like(token: str, text: str) -> str:
    """`text` as a string literal of the kind `token` was (JSON double quotes, or a repr)."""
    if token.startswith('"'):
        return json.dumps(text, ensure_ascii="\\u" in token and not _has_non_ascii(token))
    return repr(text)


def _has_non_ascii(text: str) -> bool:
    return not text.isascii()


def _indent_of(region: str) -> int | None:
    match = re.search(r"\n( +)\S", region)
    return len(match.group(1)) if match else None


# --- what the stubs use --------------------------------------------------------------------

STUBS = Redactor(on_secret=witness_observed)

redact_text = STUBS.text
redact_url = STUBS.url
redact_pairs = STUBS.pairs
redact_query = STUBS.query
redact_headers = STUBS.headers
redact_json = STUBS.json
redact = STUBS.text  # the name stubs/vssid always used
