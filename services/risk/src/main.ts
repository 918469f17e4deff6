// Service entry point; built in a later issue.
console.log('@arb/risk is not built yet');
