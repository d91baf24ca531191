// The new users service: it serves /users/:id; figway maps the monolith's /api/users/:id onto it.
const express = require('express');

function createUsersService() {
  const app = express();
  app.get('/users/:id', (req, res) => res.json({ servedBy: 'users-service', user: { id: req.params.id, name: `user ${req.params.id}` } }));
  return app;
}

module.exports = { createUsersService };
