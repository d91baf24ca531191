// The new cart service, in plain Node. The cart still lives in the monolith's session: figway sends
// the service the session's `cart`, signed, and applies the patch the service answers with.
const PATCH_HEADER = 'x-figway-session-patch';

/**
 * The service's request handler. `monolithUrl()`: where figway serves the JWKS the session arrives signed with (the monolith starts
 * after this service, so it is asked for on the first request).
 */
function createCartService({ monolithUrl }) {
  let verifier;
  const verify = async (token) => {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    verifier ??= createRemoteJWKSet(new URL('/.well-known/figway/jwks.json', monolithUrl()));
    return (await jwtVerify(token, verifier, { issuer: 'figway', audience: 'services' })).payload;
  };

  /** The shared session: in the identity token when figway knows the caller, else in a token of its own. */
  const sessionOf = async (req) => {
    const token = req.headers['x-figway-identity'] ?? req.headers['x-figway-session'];
    return token ? ((await verify(token)).session ?? {}) : {};
  };

  return async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let session;
    try {
      session = await sessionOf(req);
    } catch {
      return send(401, { error: 'the session did not come signed by figway' });
    }
    const cart = Array.isArray(session.cart) ? session.cart : [];
    if (req.method === 'GET' && req.url === '/api/cart') return send(200, { servedBy: 'cart-service', cart });
    if (req.method === 'POST' && req.url === '/api/cart/items') {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      let item;
      try {
        item = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { error: 'the body must be JSON: {"sku": "...", "qty": 1}' });
      }
      const next = [...cart, { sku: String(item.sku), qty: Number(item.qty ?? 1) }];
      // The change to the session: a JSON merge patch, base64url-encoded; figway applies it to req.session.
      res.setHeader(PATCH_HEADER, Buffer.from(JSON.stringify({ cart: next })).toString('base64url'));
      return send(201, { servedBy: 'cart-service', cart: next });
    }
    return send(404, { error: `no ${req.method} ${req.url} here` });
  };
}

module.exports = { createCartService };
