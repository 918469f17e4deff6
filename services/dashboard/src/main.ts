// Service entry point; built in a later issue.
console.log('@arb/dashboard is not built yet');
