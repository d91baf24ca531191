// The new orders service: what the monolith's /api/orders is being migrated to.
const express = require('express');

function createOrdersService() {
  const app = express();
  app.use(express.json());
  const orders = [{ id: 1, item: 'fig jam' }];
  app.get('/api/orders', (req, res) => res.json({ servedBy: 'orders-service', orders }));
  app.get('/api/orders/:id', (req, res) => res.json({ servedBy: 'orders-service', order: orders.find((o) => String(o.id) === req.params.id) ?? null }));
  app.post('/api/orders', (req, res) => {
    const order = { id: orders.length + 1, ...req.body };
    orders.push(order);
    res.status(201).json({ servedBy: 'orders-service', order });
  });
  return app;
}

module.exports = { createOrdersService };
