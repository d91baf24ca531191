// Imported first by the config loader thread, so that thread runs at low priority from the start:
// loading its modules (the YAML parser, the schema validator) takes a few hundred milliseconds too.
import { constants, setPriority } from 'node:os';

// On Linux a thread's nice value is its own (setpriority on "0" is the calling thread): the
// thread yields the CPU to the one serving requests. Elsewhere it would be the whole process.
if (process.platform === 'linux') {
  try {
    setPriority(0, constants.priority.PRIORITY_LOW);
  } catch {
    // Not allowed here: the thread runs at normal priority.
  }
}
