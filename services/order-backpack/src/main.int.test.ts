import { orderServiceSuite } from '@arb/execution/testing/order-service-suite';

orderServiceSuite('backpack', 'services/order-backpack/src/main.ts');
