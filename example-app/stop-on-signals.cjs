// Ctrl-C or SIGTERM stops the example cleanly: its servers, then figway, then the process.
//
// The start script in package.json is `exec node ...` for these handlers' sake: npm passes SIGINT and
// SIGTERM on only to the shell it runs a script in, and sh (dash) neither passes them on nor replaces
// itself with a lone command. Without exec, a SIGTERM to npm killed the shell and left this process
// running, and a SIGINT to npm stopped nothing at all.

// Long enough for in-flight requests and figway's own close; short enough that a hung socket never
// keeps a stopped example around.
const STOP_TIMEOUT_MS = 5000;

function closeServer(server) {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

/**
 * On SIGINT or SIGTERM: stops taking requests, waits for the monolith, figway (admin API, watcher,
 * upstream connections) and the services to close, then ends by the same signal.
 */
function stopOnSignals({ monolith, gateway, services }) {
  let stopping = false;
  const stop = async (signal) => {
    // A Ctrl-C in a terminal arrives twice, from the terminal and again from npm passing it on: the
    // repeat must not cut the clean stop short.
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error(`figway example: not stopped after ${STOP_TIMEOUT_MS} ms, exiting anyway`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    try {
      // The monolith first, so no request reaches figway or a service that is already gone.
      await closeServer(monolith);
      await gateway.close();
      await Promise.all(services.map(closeServer));
    } catch (err) {
      console.error(`figway example: ${err.message}`);
      process.exit(1);
    }
    // Ending by the signal rather than with 0 tells npm and any calling shell that the example was
    // stopped, not finished; npm then ends the same way, quietly.
    process.removeListener(signal, stop);
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

module.exports = { stopOnSignals };
