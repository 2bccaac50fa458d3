// oauth2-mock-server (npm, pinned in package.json) on loopback, for the load benchmark's
// side-by-side run (scripts/bench_vneid_load.py). It serves HTTPS with the certificate and key
// named by MOCK_TLS_CERT and MOCK_TLS_KEY, listens on 127.0.0.1 at a free port, signs with a
// new RS256 key, and prints one line, its issuer https://127.0.0.1:PORT, when it listens.
// SIGTERM or SIGINT closes it. It logs nothing per request.
import process from 'node:process';
import { OAuth2Server } from 'oauth2-mock-server';

const fail = (message) => {
  process.stderr.write(`oauth2-mock-server: ${message}\n`);
  process.exit(2);
};

const cert = process.env.MOCK_TLS_CERT;
const key = process.env.MOCK_TLS_KEY;
if (!cert || !key) fail('MOCK_TLS_CERT and MOCK_TLS_KEY must name a PEM certificate and key');

let server;
try {
  server = new OAuth2Server(key, cert);
} catch (error) {
  fail(`cannot read the certificate or key: ${error.message}`);
}
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');
// The library names its issuer https://localhost:PORT; the certificate is for 127.0.0.1.
server.issuer.url = `https://127.0.0.1:${server.address().port}`;
process.stdout.write(`${server.issuer.url}\n`);

const close = async () => {
  await server.stop().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
