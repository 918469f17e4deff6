// Service entry point; built in a later issue.
console.log('@arb/order-aster is not built yet');
