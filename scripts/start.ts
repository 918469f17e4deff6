// Placeholder launcher until the services exist (issue 7 replaces it with the PM2-supervised stack).
console.log('arb: no services are runnable yet; see README.md for the build status.');
