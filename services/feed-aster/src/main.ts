// Service entry point; built in a later issue.
console.log('@arb/feed-aster is not built yet');
