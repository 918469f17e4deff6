// `npm start` = `tsx scripts/start.ts`: a thin shim that runs the launcher (scripts/launcher.ts) as its own
// process. Why: the tsx CLI relays a Ctrl-C to its child and SIGKILLs that child when it does not
// acknowledge the signal within ~60 ms, which happens on a busy machine; a SIGKILLed launcher would leave
// the whole stack running under PM2. Here only this shim can be killed that way: the launcher, in the same
// process group, still gets the Ctrl-C itself and stops the stack; and should this shim die first, the
// launcher sees its IPC channel close and stops the stack too.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const launcher = join(dirname(fileURLToPath(import.meta.url)), 'launcher.ts');
const child = spawn(process.execPath, ['--import', 'tsx', launcher, ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
// A signal sent to this process alone (a service manager, a test) is passed on; the launcher counts the
// copies of one Ctrl-C that reach it from the terminal and from here as one.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
});
