// Service entry point; built in a later issue.
console.log('@arb/order-backpack is not built yet');
