// `npm start`: runs the services and the monolith on loopback and prints what to try.
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const http = require('node:http');
const { createCartService } = require('./services/cart.cjs');
const { createCatalogService } = require('./services/catalog.cjs');
const { createOrdersService } = require('./services/orders.cjs');
const { createUsersService } = require('./services/users.cjs');
const { stopOnSignals } = require('./stop-on-signals.cjs');

const HOST = '127.0.0.1';

function listen(app, port) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app).listen(port, HOST, () => resolve(server));
    server.once('error', reject);
  });
}

async function main() {
  // ORDERS_URL=http://...: send the orders share to a service of your own instead of the example's.
  const orders = process.env.ORDERS_URL ? undefined : await listen(createOrdersService(), Number(process.env.ORDERS_PORT ?? 4001));
  const ordersUrl = orders ? `http://${HOST}:${orders.address().port}` : process.env.ORDERS_URL;
  const users = await listen(createUsersService(), Number(process.env.USERS_PORT ?? 4002));
  const usersUrl = `http://${HOST}:${users.address().port}`;
  let monolithUrl;
  const cart = await listen(createCartService({ monolithUrl: () => monolithUrl }), Number(process.env.CART_PORT ?? 4003));
  const cartUrl = `http://${HOST}:${cart.address().port}`;
  const catalog = await listen(createCatalogService(), Number(process.env.CATALOG_PORT ?? 4004));
  const catalogUrl = `http://${HOST}:${catalog.address().port}`;
  // figway.yaml reads these through ${ORDERS_URL} / ${USERS_URL}.
  process.env.ORDERS_URL = ordersUrl;
  process.env.USERS_URL = usersUrl;
  process.env.CART_URL = cartUrl;
  process.env.CATALOG_URL = catalogUrl;
  // The key figway signs identities and shared sessions with; without one, the example makes one up.
  process.env.FIGWAY_IDENTITY_KEY ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  // The admin API needs a token; without one in the environment, the example makes one up and prints it.
  const generatedToken = !process.env.FIGWAY_ADMIN_TOKEN;
  if (generatedToken) process.env.FIGWAY_ADMIN_TOKEN = randomBytes(18).toString('base64url');
  const { createMonolith } = require('./monolith.cjs');
  const { app, gateway } = createMonolith();
  // FIGWAY_MODE=server: figway as the server's listener, in front of the app's whole stack (the
  // app.use line may stay: requests figway already ran pass it).
  const server = process.env.FIGWAY_MODE === 'server';
  const monolith = await listen(server ? gateway.wrap(app) : app, Number(process.env.PORT ?? 3000));
  await gateway.ready;
  const base = `http://${HOST}:${monolith.address().port}`;
  monolithUrl = base;
  const token = process.env.FIGWAY_ADMIN_TOKEN;

  console.log(`figway example is running
  monolith (legacy + figway)  ${base}   figway in ${server ? 'server mode (gateway.wrap(app))' : 'middleware mode (app.use); FIGWAY_MODE=server npm start for server mode'}
  orders service              ${ordersUrl}   gets ${process.env.ORDERS_PERCENT ?? 25}% of /api/orders, sticky per x-user-id, plus staff
  users service               ${usersUrl}   gets all of /api/users/:id (as /users/:id)
  cart service                ${cartUrl}   gets all of /api/cart; the cart stays in the monolith's session${server ? ' (server mode has no session: use middleware mode)' : ''}
  catalog service             ${catalogUrl}   gets all of /api/catalog but staff, who still see the monolith's pages
  admin API                   ${gateway.adminUrl}   token ${generatedToken ? `${token} (generated; set FIGWAY_ADMIN_TOKEN to choose one)` : 'from FIGWAY_ADMIN_TOKEN'}
  admin page (ops)            ${gateway.adminUrl}/   sign in with that token: every route, live figures, rollouts, kill switch

Try:
  curl -s ${base}/                                   # legacy home page
  curl -s ${base}/api/invoices                       # not in figway.yaml: legacy
  curl -s ${base}/api/users/7                        # users service
  curl -s -H 'x-user-id: alice' ${base}/api/orders   # alice lands on the same side every time
  for u in alice bob carol dave erin frank gina hank ivan judy; do curl -s -H "x-user-id: $u" ${base}/api/orders; echo; done
                                                     # about a quarter of them on orders-service
  curl -s -H 'x-staff: yes' ${base}/api/orders       # staff cohort: always orders-service
  curl -s -X POST -H 'x-staff: yes' -H 'content-type: application/json' -d '{"item":"fresh figs"}' ${base}/api/orders
  curl -s -c jar -b jar -X POST -d '{"sku":"fig-jam","qty":2}' ${base}/api/cart/items
                                                     # cart service; figway writes the cart back to the monolith's session
  curl -s -c jar -b jar ${base}/account              # the monolith's own handler sees that cart
  curl -s -H "authorization: Bearer ${token}" ${gateway.adminUrl}/metrics | grep ^figway_
                                                     # requests by route and side, latencies, strangled share

Every routed request is also logged as one JSON line on this terminal.

Change the rollout at runtime, no restart (in another terminal, in this folder):
  export FIGWAY_ADMIN_URL=${gateway.adminUrl} FIGWAY_ADMIN_TOKEN=${generatedToken ? token : '<your token>'}
  npm run -s figway -- status                        # every route, its percent and where it comes from
  npm run -s figway -- rollout orders 50             # half of the callers on orders-service, kept across restarts
  npm run -s figway -- explain GET /api/orders --header x-user-id:alice
  npm run -s figway -- rollback orders               # everyone back on the monolith
  npm run -s figway -- kill-switch on                # every route to the monolith at once (off to undo)
  npm run -s figway -- audit                         # who changed what
  npm run -s figway -- map                           # every endpoint of the monolith: legacy only, rolling out, at 100%, ready to retire
  curl -s -H "authorization: Bearer $FIGWAY_ADMIN_TOKEN" ${gateway.adminUrl}/routes

Change the share without touching code: ORDERS_PERCENT=50 npm start
Stop with Ctrl-C.`);

  stopOnSignals({ monolith, gateway, services: [orders, users, cart, catalog].filter(Boolean) });
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
