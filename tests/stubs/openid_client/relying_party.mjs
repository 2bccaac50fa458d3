// A relying party built on openid-client (a certified OpenID Connect library), used to prove
// the stub VNeID to code the kit did not write. Two steps, each one process:
//
//   node relying_party.mjs start   -> {"authorization_url", "code_verifier", "state", "nonce"}
//   node relying_party.mjs finish  -> {"claims": {...}, "token_type", "scope"}
//
// Input comes from environment variables (never argv, so secrets stay out of `ps`):
//   RP_ISSUER, RP_CLIENT_ID, RP_CLIENT_SECRET, RP_REDIRECT_URI, RP_SCOPE, RP_ACR_VALUES;
//   for finish also RP_CALLBACK_URL, RP_CODE_VERIFIER, RP_STATE, RP_NONCE.
// Trust the stub's throwaway CA with NODE_EXTRA_CA_CERTS=<ca.pem>. Errors go to stderr as
// one JSON line and exit 1.
import * as oidc from "openid-client";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

async function configuration() {
  const config = await oidc.discovery(
    new URL(required("RP_ISSUER")),
    required("RP_CLIENT_ID"),
    { redirect_uris: [required("RP_REDIRECT_URI")] },
    oidc.ClientSecretBasic(required("RP_CLIENT_SECRET")),
  );
  // Verify the ID token's signature against the JWKS too, not only TLS to the token endpoint.
  oidc.enableNonRepudiationChecks(config);
  return config;
}

async function start() {
  const config = await configuration();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: required("RP_REDIRECT_URI"),
    scope: required("RP_SCOPE"),
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
    acr_values: required("RP_ACR_VALUES"),
  });
  return { authorization_url: url.href, code_verifier: codeVerifier, state, nonce };
}

async function finish() {
  const config = await configuration();
  // Checks iss (RFC 9207, advertised by discovery), state, then redeems the code with the
  // verifier and validates the ID token: signature by kid, iss, aud, azp, exp, iat, nonce.
  const tokens = await oidc.authorizationCodeGrant(
    config,
    new URL(required("RP_CALLBACK_URL")),
    {
      pkceCodeVerifier: required("RP_CODE_VERIFIER"),
      expectedState: required("RP_STATE"),
      expectedNonce: required("RP_NONCE"),
      idTokenExpected: true,
    },
  );
  const claims = tokens.claims();
  if (claims.acr !== required("RP_ACR_VALUES")) {
    throw new Error(`acr ${claims.acr} is not the level asked for`);
  }
  return { claims, token_type: tokens.token_type, scope: tokens.scope ?? null };
}

const steps = { start, finish };
const step = steps[process.argv[2]];
try {
  if (!step) throw new Error("usage: relying_party.mjs start|finish");
  process.stdout.write(JSON.stringify(await step()) + "\n");
} catch (error) {
  const cause = error.cause instanceof Error
    ? { error: error.cause.name, code: error.cause.code ?? null, message: error.cause.message }
    : null;
  process.stderr.write(JSON.stringify({ error: error.name, code: error.code ?? null,
                                        message: error.message, cause }) + "\n");
  process.exit(1);
}
