// The new catalog service: it serves the product pages the monolith's /api/catalog router serves.
const express = require('express');

const PRODUCTS = [
  { id: 1, name: 'fig jam', price: 4.5 },
  { id: 2, name: 'fresh figs', price: 6 },
];

function createCatalogService() {
  const app = express();
  app.get('/api/catalog/products', (req, res) => res.json({ servedBy: 'catalog-service', products: PRODUCTS }));
  app.get('/api/catalog/products/:id', (req, res) => res.json({ servedBy: 'catalog-service', product: PRODUCTS.find((p) => String(p.id) === req.params.id) ?? null }));
  return app;
}

module.exports = { createCatalogService };
