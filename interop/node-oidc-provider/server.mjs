// A VNeID-like identity provider built on oidc-provider (panva), the way a vendor would set it
// up: its own login, one-time-code and consent screens, its own error page, loopback TLS only.
//
//   node interop/node-oidc-provider/server.mjs CONFIG.json      (or IDP_CONFIG=CONFIG.json)
//
// Prints exactly one line, the issuer `https://127.0.0.1:PORT`, on stdout once it listens;
// everything else goes to stderr. SIGTERM/SIGINT close the server and exit. README.md next to
// this file describes the configuration and the screens.

import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import process from 'node:process';

import { Provider } from 'oidc-provider';

const LOA = { 1: 'urn:vn:vneid:loa:1', 2: 'urn:vn:vneid:loa:2' };
const SCOPES = ['openid', 'profile', 'id_number'];
const ID_NUMBER = /^\d{12}$/;
const MAX_BODY = 16 * 1024;

const log = (...parts) => process.stderr.write(`[vneid-op] ${parts.join(' ')}\n`);

// ---------------------------------------------------------------------------------------------
// Configuration

function fail(message) {
  log(`configuration error: ${message}`);
  process.exit(2);
}

// A secret is given inline (`password`) or, preferably, by the name of an environment variable
// holding it (`password_env`).
function secret(entry, field, where) {
  const envName = entry[`${field}_env`];
  if (envName !== undefined) {
    const value = process.env[envName];
    if (!value) fail(`${where}.${field}_env: environment variable ${envName} is empty or unset`);
    return value;
  }
  if (typeof entry[field] !== 'string' || !entry[field]) fail(`${where}.${field} is required`);
  return entry[field];
}

function loadConfig() {
  const path = process.argv[2] || process.env.IDP_CONFIG;
  if (!path) fail('give the path of the JSON configuration as the first argument (or IDP_CONFIG)');
  let raw;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`cannot read ${path}: ${err.message}`);
  }
  if (!raw.tls?.cert_file || !raw.tls?.key_file) fail('tls.cert_file and tls.key_file are required');
  if (!Array.isArray(raw.clients) || raw.clients.length === 0) fail('clients: at least one');
  if (!Array.isArray(raw.accounts) || raw.accounts.length === 0) fail('accounts: at least one');

  const clients = raw.clients.map((c, i) => {
    const where = `clients[${i}]`;
    if (!c.client_id) fail(`${where}.client_id is required`);
    const redirectUris = c.redirect_uris ?? (c.redirect_uri ? [c.redirect_uri] : []);
    if (redirectUris.length === 0) fail(`${where}.redirect_uri is required`);
    return {
      client_id: c.client_id,
      client_secret: secret(c, 'client_secret', where),
      client_name: c.client_name || c.client_id,
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'client_secret_basic',
      response_types: ['code'],
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
    };
  });

  const accounts = new Map();
  raw.accounts.forEach((a, i) => {
    const where = `accounts[${i}]`;
    if (!ID_NUMBER.test(String(a.id_number ?? ''))) fail(`${where}.id_number: 12 digits`);
    if (!(a.level in LOA)) fail(`${where}.level: 1 or 2`);
    const totpKey = base32Decode(secret(a, 'totp_secret', where));
    if (!totpKey) fail(`${where}.totp_secret: not base32`);
    accounts.set(a.id_number, {
      idNumber: a.id_number,
      name: a.name ?? '',
      password: secret(a, 'password', where),
      level: Number(a.level),
      totpKey,
    });
  });

  const subjectSecret = raw.subject_secret !== undefined || raw.subject_secret_env !== undefined
    ? secret(raw, 'subject_secret', 'config')
    : 'vneid-op-subject';

  return {
    host: raw.host || '127.0.0.1',
    port: Number(raw.port ?? 0),
    cert: readFileSync(raw.tls.cert_file),
    key: readFileSync(raw.tls.key_file),
    clients,
    accounts,
    subjectSecret,
    lockoutThreshold: Number(raw.lockout_threshold ?? 5),
  };
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238 over RFC 4226: HMAC-SHA1, 30 s steps, 6 digits), one step of drift either way

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = String(text).toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) return null;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return out.length ? Buffer.from(out) : null;
}

function hotp(key, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

function totpValid(key, code, now = Date.now()) {
  if (!/^\d{6}$/.test(code)) return false;
  const step = Math.floor(now / 1000 / 30);
  let ok = false;
  for (const drift of [-1, 0, 1]) {
    const expected = Buffer.from(hotp(key, step + drift));
    ok = crypto.timingSafeEqual(expected, Buffer.from(code)) || ok;
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Markup: the vendor's own screens

const esc = (value) => String(value ?? '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = `body{font-family:system-ui,sans-serif;background:#f3f5f9;margin:0}
header.brand{background:#b4161b;color:#fff;padding:12px 20px;font-weight:600}
.card{max-width:380px;margin:32px auto;background:#fff;border-radius:8px;padding:24px;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
label{display:block;margin:12px 0 4px}input{width:100%;box-sizing:border-box;padding:8px}
button{margin-top:16px;padding:10px 16px;border:0;border-radius:4px;cursor:pointer}
button.primary,button.approve{background:#b4161b;color:#fff}
button.secondary,button.deny{background:#e4e6eb}
.alert{color:#b4161b}.locked{color:#b4161b;font-weight:600}
ul.scopes{padding-left:20px}`;

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="brand">Định danh điện tử</header>
${body}
</body>
</html>
`;
}

function loginPage(uid, clientName, { error, login } = {}) {
  return page('Đăng nhập', `<main class="card" id="login-screen">
<h1>Đăng nhập</h1>
<p class="for-client">để tiếp tục tới <strong>${esc(clientName)}</strong></p>
${error ? `<p class="alert" role="alert">${esc(error)}</p>` : ''}
<form id="signin" method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">Số định danh cá nhân</label>
<input id="login" name="login" inputmode="numeric" maxlength="12" value="${esc(login)}" required autofocus>
<label for="pwd">Mật khẩu</label>
<input id="pwd" name="pwd" type="password" required>
<button type="submit" class="primary">Đăng nhập</button>
</form>
</main>`);
}

function lockedPage() {
  return page('Tài khoản bị khóa', `<main class="card">
<div class="locked" role="alert">Tài khoản đã bị khóa</div>
<p>Bạn đã nhập sai mật khẩu quá nhiều lần. Vui lòng liên hệ cơ quan Công an để được hỗ trợ.</p>
</main>`);
}

function otpPage(uid, { error } = {}) {
  return page('Xác thực OTP', `<main class="card" id="otp-screen">
<h1>Nhập mã xác thực</h1>
<p>Nhập mã gồm 6 chữ số từ ứng dụng xác thực của bạn.</p>
${error ? `<p class="alert" role="alert">${esc(error)}</p>` : ''}
<form id="otp" method="post" action="/interaction/${esc(uid)}/otp" autocomplete="off">
<label for="otp-code">Mã OTP</label>
<input id="otp-code" name="otp" inputmode="numeric" maxlength="6" pattern="[0-9]{6}" required autofocus>
<button type="submit" class="primary">Xác nhận</button>
</form>
</main>`);
}

const SCOPE_TEXT = {
  openid: 'Định danh tài khoản của bạn',
  profile: 'Họ và tên',
  id_number: 'Số định danh cá nhân',
};

function consentPage(uid, clientName, scopes) {
  const items = scopes.map((s) => `<li data-scope="${esc(s)}">${esc(SCOPE_TEXT[s] ?? s)}</li>`);
  return page('Chia sẻ thông tin', `<main class="card" id="consent-screen">
<h1>Chia sẻ thông tin</h1>
<p><strong class="client-name">${esc(clientName)}</strong> yêu cầu truy cập:</p>
<ul class="scopes">${items.join('')}</ul>
<form id="consent" method="post" action="/interaction/${esc(uid)}/confirm">
<button type="submit" name="decision" value="approve" class="approve">Đồng ý</button>
<button type="submit" name="decision" value="deny" class="deny">Từ chối</button>
</form>
</main>`);
}

function errorPage(error, description) {
  return page('Lỗi', `<main class="oops">
<h1>Lỗi</h1>
<p class="error-code">${esc(error)}</p>
${description ? `<p class="error-description">${esc(description)}</p>` : ''}
</main>`);
}

// ---------------------------------------------------------------------------------------------
// The provider

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
}

function subjectFor(config, idNumber) {
  return crypto.createHmac('sha256', config.subjectSecret).update(idNumber).digest('hex').slice(0, 32);
}

function acrFor(account) {
  return LOA[account.level];
}

function buildProvider(issuer, config) {
  const bySubject = new Map();
  for (const account of config.accounts.values()) {
    bySubject.set(subjectFor(config, account.idNumber), account);
  }

  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    scopes: SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      id_number: ['id_number'],
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    acrValues: [LOA[1], LOA[2]],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic'],
    conformIdTokenClaims: false,
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Đăng xuất', `<main class="card" id="logout-screen">
<h1>Đăng xuất khỏi Định danh điện tử?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary">Đăng xuất</button>
<button type="submit" form="op.logoutForm" class="secondary">Ở lại</button>
</main>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Đã đăng xuất', '<main class="card" id="logged-out"><h1>Bạn đã đăng xuất</h1></main>');
        },
      },
    },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    // Consent is asked on every authorization: only the grant the consent screen has just
    // created is used, never one remembered in the session.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    findAccount: async (ctx, sub) => {
      const account = bySubject.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, name: account.name, id_number: account.idNumber }),
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
  });

  provider.on('server_error', (ctx, err) => log('server_error', err?.stack || err));
  return { provider, bySubject };
}

// ---------------------------------------------------------------------------------------------
// Interactions: /interaction/:uid and its form posts, handled before oidc-provider sees them

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.end(html);
}

function redirect(res, location) {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      reject(Object.assign(new Error('expected a form submission'), { status: 415 }));
      return;
    }
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('form too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

// The essential acr the client asked for (OIDC Core 5.5.1.1), if any: the list of values that
// alone may satisfy the request.
function essentialAcrs(params) {
  if (!params.claims) return null;
  let claims;
  try {
    claims = JSON.parse(params.claims);
  } catch {
    return null; // oidc-provider has already refused a malformed claims parameter
  }
  for (const container of ['id_token', 'userinfo']) {
    const acr = claims?.[container]?.acr;
    if (acr && acr.essential === true) {
      if (Array.isArray(acr.values)) return acr.values;
      if (typeof acr.value === 'string') return [acr.value];
    }
  }
  return null;
}

function makeInteractions(provider, config) {
  const failures = new Map(); // id number -> consecutive wrong passwords
  const locked = new Set(); // id numbers locked after too many wrong passwords
  const passwordOk = new Map(); // interaction uid -> id number whose password was right

  const clientName = async (clientId) => (await provider.Client.find(clientId))?.clientName ?? clientId;

  return async function interaction(req, res, uid, action) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      send(res, 400, errorPage('invalid_request', 'Phiên đăng nhập đã hết hạn hoặc không tồn tại. Vui lòng thử lại từ ứng dụng.'));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, errorPage('invalid_request', 'Phiên đăng nhập không khớp. Vui lòng thử lại từ ứng dụng.'));
      return;
    }
    const { prompt, params } = details;
    const name = await clientName(params.client_id);

    if (req.method === 'GET' && !action) {
      if (prompt.name === 'login') {
        send(res, 200, passwordOk.has(uid) ? otpPage(uid) : loginPage(uid, name));
        return;
      }
      if (prompt.name === 'consent') {
        const asked = prompt.details.missingOIDCScope ?? [];
        send(res, 200, consentPage(uid, name, asked.filter((s) => SCOPES.includes(s))));
        return;
      }
      send(res, 400, errorPage('invalid_request', 'Yêu cầu không được hỗ trợ.'));
      return;
    }

    if (req.method !== 'POST' || !action) {
      res.setHeader('Allow', action ? 'POST' : 'GET');
      send(res, 405, errorPage('invalid_request', 'Phương thức không được hỗ trợ.'));
      return;
    }

    const form = await readForm(req);

    if (action === 'login' && prompt.name === 'login') {
      const login = (form.get('login') || '').trim();
      const account = config.accounts.get(login);
      if (account && locked.has(login)) {
        send(res, 403, lockedPage());
        return;
      }
      const pwd = form.get('pwd') || '';
      const right = account && crypto.timingSafeEqual(
        crypto.createHash('sha256').update(pwd).digest(),
        crypto.createHash('sha256').update(account.password).digest(),
      );
      if (!right) {
        if (account) {
          const count = (failures.get(login) || 0) + 1;
          failures.set(login, count);
          if (count >= config.lockoutThreshold) {
            locked.add(login);
            log(`account locked after ${count} wrong passwords`);
            send(res, 403, lockedPage());
            return;
          }
        }
        send(res, 200, loginPage(uid, name, { error: 'Sai thông tin đăng nhập', login }));
        return;
      }
      // The count starts again only once the whole login (password and code) succeeds, so
      // wrong codes after a right password add up too.
      passwordOk.set(uid, login);
      setTimeout(() => passwordOk.delete(uid), 600_000).unref();
      redirect(res, `/interaction/${uid}`);
      return;
    }

    if (action === 'otp' && prompt.name === 'login' && passwordOk.has(uid)) {
      const login = passwordOk.get(uid);
      const account = config.accounts.get(login);
      if (locked.has(login)) {
        send(res, 403, lockedPage());
        return;
      }
      if (!totpValid(account.totpKey, (form.get('otp') || '').trim())) {
        const count = (failures.get(login) || 0) + 1;
        failures.set(login, count);
        if (count >= config.lockoutThreshold) {
          locked.add(login);
          passwordOk.delete(uid);
          log(`account locked after ${count} wrong passwords or codes`);
          send(res, 403, lockedPage());
          return;
        }
        send(res, 200, otpPage(uid, { error: 'Mã xác thực không đúng' }));
        return;
      }
      failures.delete(login);
      passwordOk.delete(uid);
      const acr = acrFor(account);
      const wanted = essentialAcrs(params);
      if (wanted && !wanted.includes(acr)) {
        // OIDC Core 5.5.1.1: an essential acr that cannot be met is a failed authentication.
        await provider.interactionFinished(req, res, {
          error: 'unmet_authentication_requirements',
          error_description: 'the account cannot be authenticated at the requested level',
        }, { mergeWithLastSubmission: false });
        return;
      }
      await provider.interactionFinished(req, res, {
        login: {
          accountId: subjectFor(config, account.idNumber),
          acr,
          amr: ['pwd', 'otp'],
          remember: false,
        },
      }, { mergeWithLastSubmission: false });
      return;
    }

    if (action === 'confirm' && prompt.name === 'consent') {
      if (form.get('decision') !== 'approve') {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'the End-User declined to share the requested information',
        }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }

    send(res, 400, errorPage('invalid_request', 'Yêu cầu không hợp lệ ở bước này.'));
  };
}

// ---------------------------------------------------------------------------------------------
// Serving

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|otp|confirm))?\/?$/;

function main() {
  const config = loadConfig();
  let handler = (req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = https.createServer({ cert: config.cert, key: config.key }, (req, res) => handler(req, res));

  server.on('tlsClientError', (err) => log('tls client error:', err.code || err.message));
  server.listen(config.port, config.host, () => {
    const { port } = server.address();
    const issuer = `https://${config.host}:${port}`;
    const { provider } = buildProvider(issuer, config);
    const interaction = makeInteractions(provider, config);
    const callback = provider.callback();

    handler = (req, res) => {
      const { pathname } = new URL(req.url, issuer);
      const match = INTERACTION_PATH.exec(pathname);
      if (!match) {
        callback(req, res);
        return;
      }
      interaction(req, res, match[1], match[2]).catch((err) => {
        log('interaction error:', err?.stack || err);
        if (!res.headersSent) {
          send(res, err?.status && err.status < 500 ? err.status : 500,
            errorPage(err?.status && err.status < 500 ? 'invalid_request' : 'server_error', 'Đã có lỗi xảy ra.'));
        } else {
          res.end();
        }
      });
    };

    log(`listening, issuer ${issuer}, ${config.clients.length} client(s), ${config.accounts.size} account(s)`);
    process.stdout.write(`${issuer}\n`);
  });

  const stop = (signal) => {
    log(`${signal}: closing`);
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
