// Service entry point; built in a later issue.
console.log('@arb/sim is not built yet');
