import type { SimRejectReason } from '../engine/types';
import { BackpackApiError } from './api-error';
import { BACKPACK_ERROR } from './constants';

function assertNever(value: never): never {
  throw new Error(`unexpected reject reason ${String(value)}`);
}

/**
 * The engine's order rejects as Backpack answers them (HTTP 400 + ApiErrorCode).
 * Reduce-only: Backpack's OrderExpiryReason has `ReduceOnlyNotReduced`, but an order the engine refused has no
 * record to expire, so it is answered 400 INVALID_ORDER "Reduce only order not reduced" (CCXT: InvalidOrder).
 */
export function rejectError(reason: SimRejectReason, engineMessage: string): BackpackApiError {
  switch (reason) {
    case 'insufficient_margin':
      return new BackpackApiError(400, BACKPACK_ERROR.insufficientMargin, 'Insufficient margin');
    case 'reduce_only_rejected':
      return new BackpackApiError(400, BACKPACK_ERROR.invalidOrder, 'Reduce only order not reduced');
    case 'qty_below_min':
      return new BackpackApiError(
        400,
        BACKPACK_ERROR.invalidQuantity,
        'Quantity is below the minimum allowed value',
      );
    case 'qty_above_max':
      return new BackpackApiError(
        400,
        BACKPACK_ERROR.invalidQuantity,
        'Quantity is above the maximum allowed value',
      );
    case 'qty_not_step':
      return new BackpackApiError(
        400,
        BACKPACK_ERROR.invalidQuantity,
        'Quantity does not conform to the step size',
      );
    case 'price_not_tick':
      return new BackpackApiError(
        400,
        BACKPACK_ERROR.invalidPrice,
        'Price does not conform to the tick size',
      );
    case 'min_notional':
      return new BackpackApiError(400, BACKPACK_ERROR.invalidOrder, 'Order value is too small');
    case 'no_liquidity':
      return new BackpackApiError(400, BACKPACK_ERROR.invalidOrder, 'Insufficient liquidity');
    case 'duplicate_client_order_id':
      return new BackpackApiError(400, BACKPACK_ERROR.invalidClientRequest, 'Duplicate client id');
    case 'injected_reject':
      return /margin/i.test(engineMessage)
        ? new BackpackApiError(400, BACKPACK_ERROR.insufficientMargin, 'Insufficient margin')
        : new BackpackApiError(400, BACKPACK_ERROR.invalidOrder, engineMessage || 'Order rejected');
    default:
      return assertNever(reason);
  }
}
