// Node flags every service process runs with, in one place: infra/ecosystem.config.cjs (PM2), the
// testkit's spawnService (tests, bench) and docker-compose.yml / infra/Dockerfile (checked equal by
// infra/test/deploy-files.test.ts).
//
// --max-semi-space-size=4 (MB): bounds V8's young generation (by default a semi-space grows to 16 MB).
//   During start-up it grew to the full 2 x 16 MB in some services and not in others, which was most of
//   the run-to-run spread of idle RSS (same code, this machine: strategy 98-135 MB, risk 96-130 MB); capped, the young
//   generation stays at <= 8 MB and scavenges run more often over the same short-lived objects.
//   Before/after in bench/README.md.
const NODE_FLAGS = ['--max-semi-space-size=4'];

module.exports = { NODE_FLAGS };
