/**
 * maskgrad: the command-line binary. Runs main() (main.ts) on the process's arguments and
 * streams, and exits with its code. SIGINT and SIGTERM end the run with 130 and 143: output
 * folders are written synchronously, so a signal that arrives while one is written takes effect
 * once it is whole, and one that arrives before leaves nothing behind.
 */
// before the commands load (they take a moment), so that a signal at any time gets this answer
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nmaskgrad: interrupted (${signal}); nothing more is written.\n`);
    process.exit(code);
  });
}

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2));
// Let buffered output reach a pipe, then exit: a probed GPU adapter can keep the event loop alive.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);

export {}; // a module: top-level await
