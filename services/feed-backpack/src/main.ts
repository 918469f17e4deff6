// Service entry point; built in a later issue.
console.log('@arb/feed-backpack is not built yet');
