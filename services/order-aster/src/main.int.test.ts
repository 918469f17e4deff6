import { orderServiceSuite } from '@arb/execution/testing/order-service-suite';

orderServiceSuite('aster', 'services/order-aster/src/main.ts');
