// A vendor's VssID backend (and the app's screens as mobile web pages) built on openid-client 6
// (panva, npm, pinned in package.json): VssID logs in with VNeID by the authorization code flow,
// PKCE S256, RFC 9207 `iss`, level 2 via `acr_values`, the way the library's own idioms do it.
//
//   RP_CLIENT_SECRET=... node interop/openid-client-rp/server.mjs \
//       --issuer https://127.0.0.1:8443 --client-id vssid --ca-file vneid-ca.pem \
//       --tls-cert rp-cert.pem --tls-key rp-key.pem --port 0 --accounts accounts.json \
//       [--log-file rp.log] [--min-version 1.6.7]
//
// Prints exactly one line on stdout, its base URL `https://127.0.0.1:PORT`, once it listens;
// everything else goes to the log file (or stderr without one). Configuration errors exit 2.
// SIGTERM/SIGINT close the server. README.md next to this file lists the paths and screens.

import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import process from 'node:process';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

import * as oidc from 'openid-client';

const HOST = '127.0.0.1';
const CALLBACK_PATH = '/oidc/callback/vneid';
const SCOPE = 'openid profile id_number';
const ACR_LEVEL2 = 'urn:vn:vneid:loa:2';
const ID_NUMBER_CLAIM = 'id_number';
const WEB_BUNDLE_VERSION = '1.7.0';
const ATTEMPT_TTL_MS = 300 * 1000;
const SESSION_TTL_MS = 3600 * 1000;
const CLOCK_TOLERANCE_S = 60;
const HTTP_TIMEOUT_S = 10;
const MAX_FORM_BYTES = 8 * 1024;
const MAX_IDP_RESPONSE_BYTES = 1024 * 1024;
const MAX_ATTEMPTS_PER_BROWSER = 5;
const MAX_BROWSERS = 10000; // pending logins kept at once; the oldest go first
const BINDING_COOKIE = 'bhxh_login_binding';
const SESSION_COOKIE = 'bhxh_sid';
const STORE_URL = 'https://play.google.com/store/apps/details?id=com.bhxhapp';
// Where a person without a VssID account registers (Vietnam Social Security's public portal).
const REGISTER_URL = 'https://dichvucong.baohiemxahoi.gov.vn/#/dang-ky';
const ANDROID_PACKAGE = 'com.bhxhapp';
// Synthetic: the SHA-256 of no real signing certificate.
const ANDROID_FINGERPRINT =
  '3B:7E:91:C4:0D:52:A8:6F:E1:29:B3:44:7C:D0:58:9A:' +
  '12:F6:AE:03:BB:67:C9:25:80:4D:E7:1A:96:3F:D2:5C';
const IOS_APP_ID = 'TESTTEAM01.com.bhxhapp';
const ID_NUMBER = /^[0-9]{12}$/;
const STATUSES = new Set(['active', 'pending', 'locked']);

// ---------------------------------------------------------------------------------------------
// Configuration

function fail(message) {
  process.stderr.write(`[openid-client-rp] configuration error: ${message}\n`);
  process.exit(2);
}

function readText(path, what) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    return fail(`${what}: cannot read ${path} (${err.code ?? err.message})`);
  }
}

function loadAccounts(path) {
  let raw;
  try {
    raw = JSON.parse(readText(path, '--accounts'));
  } catch (err) {
    return fail(`--accounts: ${path} is not JSON (${err.message})`);
  }
  if (!raw || !Array.isArray(raw.accounts)) fail('--accounts: expected {"accounts": [...]}');
  const book = new Map();
  raw.accounts.forEach((entry, i) => {
    const where = `--accounts: accounts[${i}]`;
    if (!entry || typeof entry !== 'object') fail(`${where} is not an object`);
    if (typeof entry.id_number !== 'string' || !ID_NUMBER.test(entry.id_number)) {
      fail(`${where}.id_number must be a string of 12 digits`);
    }
    if (!STATUSES.has(entry.status)) fail(`${where}.status must be active, pending or locked`);
    if (typeof entry.name !== 'string' || !entry.name) fail(`${where}.name is required`);
    if (typeof entry.social_insurance_code !== 'string' || !entry.social_insurance_code) {
      fail(`${where}.social_insurance_code is required`);
    }
    if (book.has(entry.id_number)) fail(`${where}.id_number appears twice`);
    book.set(entry.id_number, {
      idNumber: entry.id_number,
      name: entry.name,
      socialInsuranceCode: entry.social_insurance_code,
      status: entry.status,
    });
  });
  return book;
}

function loadSettings() {
  let values;
  try {
    ({ values } = parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        issuer: { type: 'string' },
        'client-id': { type: 'string', default: 'vssid' },
        'ca-file': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        port: { type: 'string', default: '0' },
        accounts: { type: 'string' },
        'log-file': { type: 'string' },
        defect: { type: 'string', multiple: true, default: [] },
        'min-version': { type: 'string', default: '1.6.7' },
      },
    }));
  } catch (err) {
    return fail(err.message);
  }
  if (!values.issuer) fail('--issuer is required');
  let issuer;
  try {
    issuer = new URL(values.issuer);
  } catch {
    fail(`--issuer ${values.issuer} is not a URL`);
  }
  if (issuer.protocol !== 'https:') fail('--issuer must be https');
  const clientSecret = process.env.RP_CLIENT_SECRET;
  if (!clientSecret) fail('the client secret comes from the environment: set RP_CLIENT_SECRET');
  if (!values['tls-cert'] || !values['tls-key']) fail('--tls-cert and --tls-key are required');
  if (!values.accounts) fail('--accounts is required');
  if (values.defect.length) {
    fail(`--defect ${values.defect.join(', ')}: this relying party has no defect switches`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0..65535');
  const minVersion = parseVersion(values['min-version']);
  if (!minVersion) fail(`--min-version ${values['min-version']} is not a version`);
  return {
    issuer: values.issuer,
    clientId: values['client-id'],
    clientSecret,
    caPem: values['ca-file'] ? readText(values['ca-file'], '--ca-file') : null,
    tlsCert: readText(values['tls-cert'], '--tls-cert'),
    tlsKey: readText(values['tls-key'], '--tls-key'),
    port,
    accounts: loadAccounts(values.accounts),
    logFile: values['log-file'] ?? null,
    minVersion,
    minVersionText: values['min-version'],
  };
}

// ---------------------------------------------------------------------------------------------
// Log: events and outcomes only. Never a code, token, state, nonce, verifier, secret, or a URL
// with its query string.

let logFd = null;

// Written synchronously: a line is in the file before the response it describes is sent.
function log(event, fields = {}) {
  const line = JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n';
  if (logFd !== null) {
    try {
      fs.writeSync(logFd, line);
      return;
    } catch (err) {
      process.stderr.write(`[openid-client-rp] log file: ${err.message}\n`);
    }
  }
  process.stderr.write(line);
}

// ---------------------------------------------------------------------------------------------
// App versions: numeric per dot component, missing components are 0, a pre-release sorts below
// its release, build metadata is ignored, the minimum is inclusive.

const VERSION = /^([0-9]{1,9}(?:\.[0-9]{1,9}){0,5})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]*)?$/;

function parseVersion(text) {
  if (typeof text !== 'string' || text.length > 64) return null;
  const match = VERSION.exec(text.trim());
  if (!match) return null;
  return {
    release: match[1].split('.').map(Number),
    pre: match[2] === undefined ? null : match[2].split('.'),
  };
}

function compareIdentifiers(a, b) {
  const numeric = /^[0-9]+$/;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] === undefined) return -1;
    if (b[i] === undefined) return 1;
    const [x, y] = [a[i], b[i]];
    if (numeric.test(x) && numeric.test(y)) {
      if (Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    } else if (numeric.test(x) !== numeric.test(y)) {
      return numeric.test(x) ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function compareVersions(a, b) {
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i += 1) {
    const x = a.release[i] ?? 0;
    const y = b.release[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.pre === null || b.pre === null) {
    if (a.pre === b.pre) return 0;
    return a.pre === null ? 1 : -1;
  }
  return compareIdentifiers(a.pre, b.pre);
}

// ---------------------------------------------------------------------------------------------
// HTTPS to VNeID: openid-client's customFetch hook, over node:https, trusting the system roots
// plus --ca-file. Certificates are always verified.

function trustingFetch(caPem) {
  const agent = new https.Agent({ ca: [...tls.rootCertificates, caPem], keepAlive: true });
  return (url, options = {}) => new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') {
      reject(new TypeError('only https requests are made'));
      return;
    }
    let body = null;
    if (options.body !== undefined && options.body !== null) {
      body = typeof options.body === 'string' || options.body instanceof URLSearchParams
        ? Buffer.from(String(options.body), 'utf8')
        : Buffer.from(options.body);
    }
    const headers = { ...(options.headers ?? {}) };
    if (body) headers['content-length'] = String(body.length);
    const request = https.request(target, {
      method: options.method ?? 'GET', headers, agent, signal: options.signal,
    }, (response) => {
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_IDP_RESPONSE_BYTES) {
          response.destroy(new Error('response from the identity provider too large'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        try {
          const received = new Headers();
          for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
            received.append(response.rawHeaders[i], response.rawHeaders[i + 1]);
          }
          const empty = [204, 205, 304].includes(response.statusCode);
          resolve(new Response(empty ? null : Buffer.concat(chunks), {
            status: response.statusCode, headers: received,
          }));
        } catch (err) {
          reject(err);
        }
      });
    });
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}

// ---------------------------------------------------------------------------------------------
// openid-client configuration: discovered lazily at the first login (VNeID may start after this
// server), then cached. A failed discovery is not cached, so the next login tries again.

function makeProvider(settings, redirectUri) {
  let pending = null;
  const options = {
    timeout: HTTP_TIMEOUT_S,
    // Verify the ID token's JWS signature with the JWKS key its `kid` names: openid-client
    // otherwise relies on TLS to the token endpoint alone (OIDC Core 3.1.3.7 step 6).
    execute: [oidc.enableNonRepudiationChecks],
  };
  if (settings.caPem) options[oidc.customFetch] = trustingFetch(settings.caPem);
  return () => {
    if (!pending) {
      pending = oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        { redirect_uris: [redirectUri], response_types: ['code'],
          [oidc.clockTolerance]: CLOCK_TOLERANCE_S },
        oidc.ClientSecretBasic(settings.clientSecret),
        options,
      ).then((config) => {
        log('discovery', { result: 'ok' });
        return config;
      }, (err) => {
        pending = null;
        throw err;
      });
    }
    return pending;
  };
}

// ---------------------------------------------------------------------------------------------
// Server-side state: login attempts bound to a browser (a random binding cookie), and sessions.

const attemptsByBrowser = new Map(); // binding id -> Map(state -> attempt)
const sessions = new Map(); // session id -> { account, expires }

function randomId() {
  return crypto.randomBytes(32).toString('base64url');
}

function sweep(now) {
  for (const [binding, attempts] of attemptsByBrowser) {
    for (const [state, attempt] of attempts) {
      if (now - attempt.createdAt > ATTEMPT_TTL_MS) attempts.delete(state);
    }
    if (attempts.size === 0) attemptsByBrowser.delete(binding);
  }
  while (attemptsByBrowser.size >= MAX_BROWSERS) {
    attemptsByBrowser.delete(attemptsByBrowser.keys().next().value);
  }
  for (const [sid, session] of sessions) {
    if (session.expires <= now) sessions.delete(sid);
  }
}

function sessionOf(cookies) {
  const sid = cookies.get(SESSION_COOKIE);
  if (!sid) return null;
  const session = sessions.get(sid);
  if (!session) return null;
  if (session.expires <= Date.now()) {
    sessions.delete(sid);
    return null;
  }
  return session;
}

function maskIdNumber(idNumber) {
  return '*'.repeat(8) + idNumber.slice(-4);
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

function parseCookies(header) {
  const cookies = new Map();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

function cookie(name, value, maxAgeSeconds) {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`;
}

function clearCookie(name) {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
};

function send(res, status, contentType, body, extra = {}) {
  res.writeHead(status, {
    ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function redirect(res, location, cookies = []) {
  res.writeHead(303, { ...SECURITY_HEADERS, location, 'content-length': '0',
    ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  res.end();
}

function sendJson(res, status, value, extra = {}) {
  send(res, status, 'application/json', JSON.stringify(value), extra);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const chunks = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES && !failed) {
        failed = true;
        reject(Object.assign(new Error('form too large'), { status: 413 }));
      }
      if (!failed) chunks.push(chunk);
    });
    req.on('error', (err) => { if (!failed) { failed = true; reject(err); } });
    req.on('end', () => {
      if (failed) return;
      if (size > 0 && type !== 'application/x-www-form-urlencoded') {
        reject(Object.assign(new Error('not a form'), { status: 415 }));
        return;
      }
      resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Screens (Vietnamese, mobile). Every screen and element has its own id/class.

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const CSS = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#f2f6fb;color:#1d2a3a}.topbar{background:#0b5fae;color:#fff;padding:14px 16px;
font-weight:600}main{max-width:480px;margin:0 auto;padding:20px 16px}.card{background:#fff;
border-radius:12px;padding:20px;box-shadow:0 1px 4px rgba(0,0,0,.08)}h1{font-size:1.3rem;
margin:0 0 12px}p{line-height:1.5}button,.button{display:block;width:100%;padding:14px;border:0;
border-radius:8px;background:#0b5fae;color:#fff;font-size:1rem;text-align:center;
text-decoration:none;margin-top:12px}.link{display:inline-block;margin-top:16px;color:#0b5fae}
.muted{color:#5b6b7d;font-size:.85rem}dl{margin:0}dt{color:#5b6b7d;font-size:.85rem;margin-top:12px}
dd{margin:2px 0 0;font-weight:600}`;

function page(res, status, { title, bodyId, content, cookies = [], headers = {} }) {
  const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – VssID</title>
<style>${CSS}</style>
</head>
<body id="${bodyId}">
<header class="topbar" id="app-topbar"><span class="topbar-brand">VssID – Bảo hiểm xã hội số</span></header>
<main>
${content}
</main>
</body>
</html>
`;
  send(res, status, 'text/html; charset=utf-8', html,
    { ...headers, ...(cookies.length ? { 'set-cookie': cookies } : {}) });
}

function signinScreen(res) {
  page(res, 200, {
    title: 'Đăng nhập',
    bodyId: 'signin-page',
    content: `<section class="card" id="signin">
<h1 id="signin-title">Đăng nhập VssID</h1>
<p id="signin-intro">Dùng tài khoản định danh điện tử mức độ 2 trên ứng dụng VNeID để đăng nhập.</p>
<form id="vneid-begin" method="post" action="/auth/vneid/begin">
<input type="hidden" id="client-version" name="client_version" value="${escapeHtml(WEB_BUNDLE_VERSION)}">
<button type="submit" id="vneid-button" class="vneid-button">Đăng nhập bằng tài khoản định danh điện tử</button>
</form>
<p class="muted" id="app-version-label">Phiên bản ứng dụng ${escapeHtml(WEB_BUNDLE_VERSION)}</p>
</section>`,
  });
}

// The outcome screens: `section#result` with one class per outcome.
const OUTCOMES = {
  VSSID_UPDATE_REQUIRED: {
    cls: 'result--update-required', status: 200,
    title: 'Cần cập nhật ứng dụng VssID',
    message: 'Phiên bản VssID trên máy của bạn đã cũ và không hỗ trợ đăng nhập bằng tài khoản '
      + 'định danh điện tử. Vui lòng cập nhật VssID lên phiên bản mới nhất rồi thử lại.',
  },
  CANCELLED: {
    cls: 'result--cancelled', status: 200,
    title: 'Đã hủy đăng nhập',
    message: 'Bạn đã không đồng ý chia sẻ thông tin trên ứng dụng VNeID nên chưa đăng nhập vào '
      + 'VssID.',
  },
  LEVEL2_REQUIRED: {
    cls: 'result--level2-required', status: 200,
    title: 'Cần tài khoản định danh điện tử mức độ 2',
    message: 'VssID chỉ chấp nhận tài khoản định danh điện tử mức độ 2. Vui lòng nâng cấp tài '
      + 'khoản trên ứng dụng VNeID rồi đăng nhập lại.',
  },
  NO_VSSID_ACCOUNT: {
    cls: 'result--no-account', status: 200,
    title: 'Chưa có tài khoản VssID',
    message: 'Số định danh cá nhân này chưa có tài khoản VssID. Vui lòng đăng ký tài khoản VssID '
      + 'trước khi đăng nhập.',
  },
  VSSID_PENDING: {
    cls: 'result--pending', status: 200,
    title: 'Tài khoản đang chờ phê duyệt',
    message: 'Hồ sơ đăng ký VssID của bạn chưa được cơ quan BHXH phê duyệt. Vui lòng đăng nhập '
      + 'lại khi tài khoản đã được kích hoạt.',
  },
  VSSID_LOCKED: {
    cls: 'result--locked', status: 200,
    title: 'Tài khoản VssID đã bị khóa',
    message: 'Tài khoản VssID của bạn đang bị khóa. Vui lòng liên hệ cơ quan BHXH nơi cư trú để '
      + 'được hỗ trợ.',
  },
  PROTOCOL_ERROR: {
    cls: 'result--protocol-error', status: 400,
    title: 'Đăng nhập không thành công',
    message: 'Không xác minh được phản hồi đăng nhập từ VNeID. Vui lòng đăng nhập lại từ đầu.',
  },
  IDP_ERROR: {
    cls: 'result--idp-error', status: 200,
    title: 'Hệ thống định danh đang gián đoạn',
    message: 'Chưa hoàn tất được đăng nhập do hệ thống VNeID đang gặp sự cố. Vui lòng thử lại sau '
      + 'ít phút.',
  },
};
const REAUTH_MESSAGE = 'VNeID yêu cầu bạn đăng nhập lại trên ứng dụng VNeID. Vui lòng thử lại.';

function outcomeScreen(res, outcome, { reason, message, cookies = [] } = {}) {
  const o = OUTCOMES[outcome];
  log('outcome', { outcome, reason: reason ?? null });
  const store = outcome === 'VSSID_UPDATE_REQUIRED'
    ? `<a id="store-link" class="button" href="${escapeHtml(STORE_URL)}">Cập nhật VssID</a>\n`
    : outcome === 'NO_VSSID_ACCOUNT'
      ? `<a id="register-link" class="button" href="${escapeHtml(REGISTER_URL)}">Đăng ký tài khoản VssID</a>\n`
      : '';
  page(res, o.status, {
    title: o.title,
    bodyId: 'result-page',
    cookies,
    content: `<section class="card result ${o.cls}" id="result">
<h1 id="result-title" class="result-title">${escapeHtml(o.title)}</h1>
<p id="result-message" class="result-message">${escapeHtml(message ?? o.message)}</p>
${store}<a id="back-to-signin" class="link back-to-signin" href="/signin">Quay lại màn hình đăng nhập</a>
</section>`,
  });
}

function errorScreen(res, status, message, headers = {}) {
  log('error_page', { status });
  page(res, status, {
    title: 'Có lỗi xảy ra',
    bodyId: 'error-page',
    content: `<section class="card error-notice" id="error-notice">
<h1 id="error-title">Có lỗi xảy ra</h1>
<p id="error-message">${escapeHtml(message)}</p>
<a id="back-to-signin" class="link back-to-signin" href="/signin">Quay lại màn hình đăng nhập</a>
</section>`,
    headers,
  });
}

function dashboardScreen(res, session) {
  const a = session.account;
  page(res, 200, {
    title: 'Trang chủ',
    bodyId: 'dashboard-page',
    content: `<section class="card" id="dashboard">
<h1 id="dashboard-title">Xin chào</h1>
<dl id="holder">
<dt>Họ và tên</dt><dd id="holder-name">${escapeHtml(a.name)}</dd>
<dt>Số định danh cá nhân</dt><dd id="holder-id-number">${escapeHtml(maskIdNumber(a.idNumber))}</dd>
<dt>Mã số BHXH</dt><dd id="holder-sic">${escapeHtml(a.socialInsuranceCode)}</dd>
</dl>
<form id="signout-form" method="post" action="/signout">
<button type="submit" id="signout-button">Đăng xuất</button>
</form>
</section>`,
  });
}

// ---------------------------------------------------------------------------------------------
// The login

// OAuth error codes of the authorization response (OIDC Core 3.1.2.6) and their outcomes.
function outcomeOfAuthorizationError(error) {
  switch (error) {
    case 'access_denied':
    case 'consent_required':
      return ['CANCELLED', null];
    case 'unmet_authentication_requirements':
      return ['LEVEL2_REQUIRED', null];
    case 'login_required':
    case 'interaction_required':
      return ['IDP_ERROR', REAUTH_MESSAGE];
    default:
      return ['IDP_ERROR', null];
  }
}

// What a failed openid-client call means for the person. The library's errors carry a `code`
// (its OAUTH_* constants); the log gets the code and the library's fixed message, never a value.
function classify(err) {
  if (err instanceof oidc.AuthorizationResponseError) {
    const [outcome, message] = outcomeOfAuthorizationError(err.error);
    return { outcome, message, reason: `idp_${String(err.error).slice(0, 40)}` };
  }
  if (err instanceof oidc.ResponseBodyError) {
    if (err.error === 'invalid_grant') return { outcome: 'PROTOCOL_ERROR', reason: 'invalid_grant' };
    if (err.status >= 500 || err.error === 'server_error'
        || err.error === 'temporarily_unavailable') {
      return { outcome: 'IDP_ERROR', reason: `token_${err.status}` };
    }
    return { outcome: 'PROTOCOL_ERROR', reason: `token_error_${err.status}` };
  }
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    return { outcome: 'PROTOCOL_ERROR', reason: `token_challenge_${err.status}` };
  }
  if (err instanceof oidc.ClientError) {
    const status = err.cause instanceof Response ? err.cause.status : undefined;
    if (status !== undefined && status >= 500) {
      return { outcome: 'IDP_ERROR', reason: `idp_http_${status}` };
    }
    if (unreachable(err)) return { outcome: 'IDP_ERROR', reason: 'idp_unreachable' };
    return { outcome: 'PROTOCOL_ERROR', reason: err.code ?? 'client_error' };
  }
  return { outcome: 'PROTOCOL_ERROR', reason: 'unexpected' };
}

// openid-client's fetchUserInfo compares userinfo's `sub` with the expected subject itself
// (oauth4webapi processUserInfoResponse) and throws a ClientError with this code when they differ.
const USERINFO_SUB_MISMATCH = 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED';

// What a failed fetchUserInfo means: another subject's answer (OIDC Core 5.3.2), or anything else
// that is not a conform userinfo response, is a PROTOCOL_ERROR; VNeID down (5xx, no answer) an
// IDP_ERROR.
function classifyUserinfo(err) {
  if (err instanceof oidc.ClientError && err.code === USERINFO_SUB_MISMATCH) {
    return { outcome: 'PROTOCOL_ERROR', reason: 'userinfo_sub_mismatch' };
  }
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    return { outcome: 'PROTOCOL_ERROR', reason: `userinfo_challenge_${err.status}` };
  }
  if (err instanceof oidc.ClientError) {
    const status = err.cause instanceof Response ? err.cause.status : undefined;
    if (status !== undefined && status >= 500) {
      return { outcome: 'IDP_ERROR', reason: `userinfo_http_${status}` };
    }
    if (unreachable(err)) return { outcome: 'IDP_ERROR', reason: 'userinfo_unreachable' };
    return { outcome: 'PROTOCOL_ERROR', reason: `userinfo_${err.code ?? 'client_error'}` };
  }
  return { outcome: 'PROTOCOL_ERROR', reason: 'userinfo_unexpected' };
}

// A request to VNeID that got no answer: refused connection, TLS failure, timeout, abort.
// openid-client wraps these as ClientError without an OAUTH_* code (or OAUTH_TIMEOUT/ABORT).
function unreachable(err) {
  if (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT') return true;
  const cause = err.code === undefined ? err.cause : null;
  return cause instanceof Error && !(cause instanceof oidc.ClientError)
    && (typeof cause.code === 'string' || cause.name === 'TimeoutError'
      || cause.name === 'AbortError');
}

// For the log: the error's class, the library's code and its fixed message (oauth4webapi's
// messages name claims and parameters, never their values), and the cause's class and code.
function describe(err) {
  const cause = err?.cause instanceof Error ? err.cause : null;
  return {
    error: err?.name ?? 'Error', code: typeof err?.code === 'string' ? err.code : null,
    message: String(err?.message ?? '').slice(0, 200),
    ...(cause ? { cause: cause.name, cause_code: typeof cause.code === 'string' ? cause.code : null,
      cause_message: cause instanceof oidc.ClientError || cause.constructor?.name
        === 'OperationProcessingError' ? String(cause.message).slice(0, 200) : null } : {}),
  };
}

function createApp(settings, baseUrl) {
  const redirectUri = baseUrl + CALLBACK_PATH;
  const provider = makeProvider(settings, redirectUri);

  async function begin(req, res, cookies) {
    const form = await readForm(req);
    const versions = form.getAll('client_version');
    const version = versions.length === 1 ? parseVersion(versions[0]) : null;
    if (!version || compareVersions(version, settings.minVersion) < 0) {
      outcomeScreen(res, 'VSSID_UPDATE_REQUIRED', { reason: 'app_version' });
      return;
    }
    let config;
    try {
      config = await provider();
    } catch (err) {
      log('discovery', { result: 'failed', ...describe(err) });
      outcomeScreen(res, 'IDP_ERROR', { reason: 'discovery' });
      return;
    }
    const now = Date.now();
    sweep(now);
    let binding = cookies.get(BINDING_COOKIE);
    if (!binding || !attemptsByBrowser.has(binding)) {
      binding = randomId();
      attemptsByBrowser.set(binding, new Map());
    }
    const attempts = attemptsByBrowser.get(binding);
    const attempt = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      createdAt: now,
    };
    attempts.set(attempt.state, attempt);
    while (attempts.size > MAX_ATTEMPTS_PER_BROWSER) {
      attempts.delete(attempts.keys().next().value);
    }
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      state: attempt.state,
      nonce: attempt.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(attempt.verifier),
      code_challenge_method: 'S256',
      acr_values: ACR_LEVEL2,
    });
    log('login_started', {});
    redirect(res, url.href, [cookie(BINDING_COOKIE, binding, Math.ceil(ATTEMPT_TTL_MS / 1000) * 2)]);
  }

  async function callback(req, res, url, cookies) {
    // Whatever happens next, this browser holds no session unless this callback succeeds.
    const oldSid = cookies.get(SESSION_COOKIE);
    if (oldSid) sessions.delete(oldSid);
    const refuse = (outcome, reason, message) => outcomeScreen(res, outcome, {
      reason, message, cookies: oldSid ? [clearCookie(SESSION_COOKIE)] : [],
    });

    const states = url.searchParams.getAll('state');
    const attempts = attemptsByBrowser.get(cookies.get(BINDING_COOKIE) ?? '');
    if (states.length !== 1 || !attempts || !attempts.has(states[0])) {
      refuse('PROTOCOL_ERROR', states.length === 1 ? 'attempt_unknown' : 'state_missing');
      return;
    }
    const attempt = attempts.get(states[0]);
    attempts.delete(states[0]); // single-use, whatever the outcome
    if (Date.now() - attempt.createdAt > ATTEMPT_TTL_MS) {
      refuse('PROTOCOL_ERROR', 'attempt_expired');
      return;
    }

    let config;
    try {
      config = await provider();
    } catch (err) {
      log('discovery', { result: 'failed', ...describe(err) });
      refuse('IDP_ERROR', 'discovery');
      return;
    }
    const currentUrl = new URL(redirectUri);
    currentUrl.search = url.search;
    let tokens;
    try {
      // Checks `iss` (RFC 9207, as discovery advertises), `state` and `error`, redeems the code
      // once (client_secret_basic + code_verifier) and validates the ID token: signature by
      // `kid`, alg, iss, aud/azp, exp (± clockTolerance), nonce, sub.
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const { outcome, reason, message } = classify(err);
      log('callback_refused', { reason, ...(err instanceof oidc.AuthorizationResponseError
        ? {} : describe(err)) });
      refuse(outcome, reason, message);
      return;
    }
    const claims = tokens.claims();
    if (!claims || claims.acr !== ACR_LEVEL2) {
      refuse('LEVEL2_REQUIRED', 'acr');
      return;
    }
    const idNumber = claims[ID_NUMBER_CLAIM];
    if (typeof idNumber !== 'string' || !ID_NUMBER.test(idNumber)) {
      refuse('PROTOCOL_ERROR', 'id_number_claim');
      return;
    }
    // Userinfo (the person's current profile), only for an ID token that passed every check and
    // only when discovery advertises the endpoint. The library compares its `sub` with the ID
    // token's (OIDC Core 5.3.2): another subject's answer refuses the login. The account stays
    // the one of the ID token's verified id_number; userinfo's claims are not used for it.
    if (config.serverMetadata().userinfo_endpoint) {
      try {
        await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      } catch (err) {
        const { outcome, reason } = classifyUserinfo(err);
        log('callback_refused', { reason, ...describe(err) });
        refuse(outcome, reason);
        return;
      }
    }
    const account = settings.accounts.get(idNumber);
    if (!account) {
      refuse('NO_VSSID_ACCOUNT', 'no_account');
      return;
    }
    if (account.status === 'pending') {
      refuse('VSSID_PENDING', 'account_pending');
      return;
    }
    if (account.status === 'locked') {
      refuse('VSSID_LOCKED', 'account_locked');
      return;
    }
    const sid = randomId(); // a new session identifier at login, never one the browser brought
    sessions.set(sid, { account, expires: Date.now() + SESSION_TTL_MS });
    log('outcome', { outcome: 'LOGGED_IN', reason: null });
    redirect(res, '/dashboard', [cookie(SESSION_COOKIE, sid, SESSION_TTL_MS / 1000)]);
  }

  function signout(req, res, cookies) {
    const sid = cookies.get(SESSION_COOKIE);
    if (sid) sessions.delete(sid);
    log('signed_out', {});
    redirect(res, '/signin', [clearCookie(SESSION_COOKIE)]);
  }

  function whoami(res, cookies) {
    const session = sessionOf(cookies);
    sendJson(res, 200, session
      ? { logged_in: true, id_number_masked: maskIdNumber(session.account.idNumber),
        name: session.account.name }
      : { logged_in: false, id_number_masked: null, name: null });
  }

  const assetLinks = JSON.stringify([{
    relation: ['delegate_permission/common.handle_all_urls'],
    target: { namespace: 'android_app', package_name: ANDROID_PACKAGE,
      sha256_cert_fingerprints: [ANDROID_FINGERPRINT] },
  }]);
  const appleAssociation = JSON.stringify({
    applinks: { details: [{ appIDs: [IOS_APP_ID], components: [{ '/': CALLBACK_PATH }] }] },
  });

  // path -> { METHOD: handler(req, res, url, cookies) }
  const routes = {
    '/': { GET: (req, res) => redirect(res, '/signin') },
    '/signin': { GET: (req, res) => signinScreen(res) },
    '/auth/vneid/begin': { POST: (req, res, url, cookies) => begin(req, res, cookies) },
    [CALLBACK_PATH]: { GET: callback },
    '/dashboard': {
      GET: (req, res, url, cookies) => {
        const session = sessionOf(cookies);
        if (!session) redirect(res, '/signin');
        else dashboardScreen(res, session);
      },
    },
    '/signout': { POST: (req, res, url, cookies) => signout(req, res, cookies) },
    '/api/whoami': { GET: (req, res, url, cookies) => whoami(res, cookies) },
    '/.well-known/assetlinks.json': {
      GET: (req, res) => send(res, 200, 'application/json', assetLinks),
    },
    '/.well-known/apple-app-site-association': {
      GET: (req, res) => send(res, 200, 'application/json', appleAssociation),
    },
  };

  return async function handle(req, res) {
    let route = 'unmatched';
    try {
      let url;
      try {
        url = new URL(req.url ?? '/', baseUrl);
      } catch {
        errorScreen(res, 400, 'Địa chỉ yêu cầu không hợp lệ.');
        return;
      }
      if (!(req.url ?? '').startsWith('/') || url.origin !== baseUrl) {
        errorScreen(res, 400, 'Địa chỉ yêu cầu không hợp lệ.');
        return;
      }
      // The path as sent, exactly: no dot-segment or encoding normalisation makes a route match.
      const rawPath = req.url.split('?')[0];
      const handlers = rawPath === url.pathname && Object.hasOwn(routes, rawPath)
        ? routes[rawPath] : null;
      if (!handlers) {
        errorScreen(res, 404, 'Không tìm thấy trang bạn yêu cầu.');
        return;
      }
      route = url.pathname === CALLBACK_PATH ? 'callback' : url.pathname;
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const handler = handlers[method];
      if (!handler) {
        errorScreen(res, 405, 'Thao tác này không được hỗ trợ.',
          { allow: Object.keys(handlers).join(', ') });
        return;
      }
      await handler(req, res, url, parseCookies(req.headers.cookie));
    } catch (err) {
      log('request_failed', { route, ...describe(err) });
      if (res.headersSent) {
        res.destroy();
      } else if (route === 'callback') {
        outcomeScreen(res, 'PROTOCOL_ERROR', { reason: 'unexpected' });
      } else if (err?.status === 413 || err?.status === 415) {
        errorScreen(res, err.status, 'Dữ liệu gửi lên không hợp lệ.');
      } else {
        errorScreen(res, 400, 'Yêu cầu không thực hiện được. Vui lòng thử lại.');
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Main

const settings = loadSettings();
if (settings.logFile) {
  try {
    logFd = fs.openSync(settings.logFile, 'a');
  } catch (err) {
    fail(`--log-file: cannot open ${settings.logFile} (${err.code ?? err.message})`);
  }
}

let handle = null;
const server = https.createServer({ cert: settings.tlsCert, key: settings.tlsKey },
  (req, res) => handle(req, res));
server.on('tlsClientError', () => {});
server.on('error', (err) => {
  process.stderr.write(`[openid-client-rp] cannot listen: ${err.message}\n`);
  process.exit(1);
});
server.listen(settings.port, HOST, () => {
  const baseUrl = `https://${HOST}:${server.address().port}`;
  handle = createApp(settings, baseUrl);
  log('listening', { base_url: baseUrl, redirect_uri: baseUrl + CALLBACK_PATH,
    issuer: settings.issuer, client_id: settings.clientId });
  process.stdout.write(baseUrl + '\n');
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
