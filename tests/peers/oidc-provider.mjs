// A real OpenID Connect provider for cooc's tests: node_modules/oidc-provider (certified), with
// its development sign-in form (any login, any password), no consent screen for the one client,
// and a signing key of its own.
// Usage: node oidc-provider.mjs CONFIG.json, where CONFIG holds
//   { "issuer", "port", "client": { client_id, client_secret, redirect_uris }, "accounts": { login: claims } }
// It prints "ready" once it listens on 127.0.0.1.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// A new signing key at every start, with a new key id: a restart is a key rotation.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const provider = new Provider(config.issuer, {
  clients: [{ grant_types: ['authorization_code'], response_types: ['code'], ...config.client }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'locale', 'department', 'employee_id'],
  },
  cookies: { keys: ['cooc-test-provider-cookie-key'] },
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

provider.listen(config.port, '127.0.0.1', () => console.log('ready'));
