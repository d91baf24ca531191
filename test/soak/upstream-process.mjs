// The service behind figway, in its own process so the soak can kill it (SIGKILL) and start it again.
// Answers JSON with the bytes of the body it received, so the load can check bodies arrive whole.
import http from 'node:http';

const port = Number(process.argv[2]);
const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ side: 'service', bytes }));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => process.send?.('ready'));
