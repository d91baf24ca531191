// The legacy monolith: an ordinary CommonJS Express app with figway added in one line.
const path = require('node:path');
const express = require('express');
const session = require('express-session');
const { figway } = require('figway');

function createMonolith() {
  const app = express();
  // The monolith's own session (memory store here; any express-session store works). Before figway,
  // so figway can share the session with the services the YAML lets see it.
  app.use(session({ secret: process.env.SESSION_SECRET ?? 'example-only-secret', resave: false, saveUninitialized: false }));

  // The one line. Routes in figway.yaml go to new services for their share of callers;
  // everything else, and every caller not yet migrated, reaches the handlers below as before.
  // (Kept in a variable only so start.cjs can print the admin API's address.)
  const gateway = figway({ config: path.join(__dirname, 'figway.yaml') });
  app.use(gateway);
  // After figway, so uploads to the services stream through unparsed; the handlers below get req.body.
  app.use(express.json());

  app.get('/', (req, res) => res.type('text').send('The legacy monolith home page.\n'));
  app.get('/api/orders', (req, res) => res.json({ servedBy: 'legacy-monolith', orders: [{ id: 1, item: 'fig jam' }] }));
  app.get('/api/orders/:id', (req, res) => res.json({ servedBy: 'legacy-monolith', order: { id: Number(req.params.id), item: 'fig jam' } }));
  app.post('/api/orders', (req, res) => res.status(201).json({ servedBy: 'legacy-monolith', order: { id: 2, ...req.body } }));
  app.get('/api/users/:id', (req, res) => res.json({ servedBy: 'legacy-monolith', user: { id: req.params.id } }));
  app.get('/api/invoices', (req, res) => res.json({ servedBy: 'legacy-monolith', invoices: [] }));
  app.get('/api/invoices/:id', (req, res) => res.json({ servedBy: 'legacy-monolith', invoice: { id: req.params.id } }));
  // The catalog, a router of its own; figway.yaml sends it all to the catalog service, except staff.
  const catalog = express.Router();
  catalog.get('/products', (req, res) => res.json({ servedBy: 'legacy-monolith', products: [{ id: 1, name: 'fig jam' }] }));
  catalog.get('/products/:id', (req, res) => res.json({ servedBy: 'legacy-monolith', product: { id: Number(req.params.id), name: 'fig jam' } }));
  app.use('/api/catalog', catalog);
  app.get('/reports/sales', (req, res) => res.json({ servedBy: 'legacy-monolith', sales: [] }));
  // The cart as the monolith kept it, in the session. figway.yaml sends /api/cart to the cart
  // service now; these handlers stay for a rollback, and read the same session.
  app.get('/api/cart', (req, res) => res.json({ servedBy: 'legacy-monolith', cart: req.session.cart ?? [] }));
  app.post('/api/cart/items', (req, res) => {
    req.session.cart = [...(req.session.cart ?? []), { sku: String(req.body.sku), qty: Number(req.body.qty ?? 1) }];
    res.status(201).json({ servedBy: 'legacy-monolith', cart: req.session.cart });
  });
  // Still the monolith's: it sees the cart the service changed, because the session is the same.
  app.get('/account', (req, res) => res.json({ servedBy: 'legacy-monolith', itemsInCart: (req.session.cart ?? []).length }));
  return { app, gateway };
}

module.exports = { createMonolith };
