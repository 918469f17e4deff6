// Service entry point; built in a later issue.
console.log('@arb/strategy is not built yet');
