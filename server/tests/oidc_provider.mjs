// A real OpenID Connect provider for the single sign-on tests: the npm
// package `oidc-provider` (installed into .tools/ by `cargo xtask setup`),
// on a loopback port, with one static client, a few people, and a login page
// that signs in whoever `?account=` names (default `ann`) and consents at
// once. It prints `listening PORT` and runs until killed.
//
//   node oidc_provider.mjs TOOLS_DIR REDIRECT_URIS [--claims-in-userinfo] [--tamper MODE]
//
// REDIRECT_URIS: the client's redirect URIs, comma-separated.
// --claims-in-userinfo: the ID token carries the subject alone; the address,
// name and groups come from the UserInfo endpoint (as some providers do).
//
// MODE makes its token endpoint hand out an ID token of an attack instead of
// its own, re-signed as the attacker could:
//   other_issuer   another issuer's token (its `iss`, its own key)
//   other_audience a token this provider issued to another client
//   bad_signature  this provider's claims, signed with a key not its own
//   stale_nonce    a token of an earlier sign-in (another nonce)
//   expired        a token whose time is up

import { createServer } from 'node:http';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [toolsDir, redirectUris, ...rest] = process.argv.slice(2);
const flag = (name) => rest.indexOf(name);
const tamper = flag('--tamper') >= 0 ? rest[flag('--tamper') + 1] : null;
const claimsInUserinfo = flag('--claims-in-userinfo') >= 0;
const { default: Provider } = await import(
  pathToFileURL(join(toolsDir, 'node_modules', 'oidc-provider', 'lib', 'index.js')).href
);

const CLIENT_ID = 'sealmail';
const CLIENT_SECRET = 'sealmail-test-secret';

const people = {
  ann: { email: 'ann@contoso.example', email_verified: true, name: 'Ann Admin', groups: ['staff', 'sealmail-admins'] },
  sam: { email: 'sam@contoso.example', email_verified: true, name: 'Sam Sender', groups: ['staff'] },
  eve: { email: 'eve@elsewhere.example', email_verified: true, name: 'Eve Elsewhere', groups: ['sealmail-admins'] },
  uma: { email: 'uma@contoso.example', email_verified: false, name: 'Uma Unverified', groups: [] },
};

const rsa = (kid) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, key: privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
};
const own = rsa('provider-key');
const attacker = rsa('attacker-key');

const server = createServer();
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: redirectUris.split(','),
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [own.jwk] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  // The address and groups in the ID token itself, as most providers put
  // them, unless --claims-in-userinfo.
  conformIdTokenClaims: claimsInUserinfo,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
});

// The login and consent page: no form, it signs `?account=` in at once.
provider.use(async (ctx, next) => {
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!interaction || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'login') {
    result = { login: { accountId: String(ctx.query.account || 'ann') } };
  } else {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.respond = false;
});

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jws = (claims, signer, kid) => {
  const input = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), signer).toString('base64url')}`;
};
const attacks = {
  other_issuer: (c) => jws({ ...c, iss: 'https://idp.elsewhere.example' }, attacker.key, attacker.kid),
  other_audience: (c) => jws({ ...c, aud: 'another-app', azp: 'another-app' }, own.key, own.kid),
  bad_signature: (c) => jws(c, attacker.key, own.kid),
  stale_nonce: (c) => jws({ ...c, nonce: 'the-nonce-of-an-earlier-sign-in' }, own.key, own.kid),
  expired: (c) => jws({ ...c, iat: c.iat - 7200, exp: c.iat - 3600 }, own.key, own.kid),
};
if (tamper && !attacks[tamper]) throw new Error(`unknown --tamper ${tamper}`);

// The token endpoint's answer, with the ID token swapped for the attack's.
provider.use(async (ctx, next) => {
  await next();
  if (tamper && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    const claims = JSON.parse(Buffer.from(ctx.body.id_token.split('.')[1], 'base64url'));
    ctx.body = { ...ctx.body, id_token: attacks[tamper](claims) };
  }
});

server.on('request', provider.callback());
console.log(`listening ${port}`);
