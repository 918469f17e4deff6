import type { VenueFrontEndOptions } from '../engine/types';
import {
  ASTER_BAN_AFTER_429S,
  ASTER_BAN_MS,
  ASTER_ERRORS,
  ASTER_ORDERS_PER_MINUTE,
  ASTER_REQUEST_WEIGHT_PER_MINUTE,
  ASTER_V3_NONCE_MEMORY,
  ASTER_V3_NONCE_WINDOW_MS,
  ASTER_WS_MAX_INCOMING_PER_SEC,
  ASTER_WS_MAX_LIFETIME_MS,
  ASTER_WS_MAX_STREAMS,
  ASTER_WS_PING_INTERVAL_MS,
  ASTER_WS_PONG_TIMEOUT_MS,
} from './constants';

/** Knobs of the Aster front-end; every default is the documented venue value. */
export interface AsterTuning {
  weightPerMinute: number;
  ordersPerMinute: number;
  banAfter429s: number;
  banMs: number;
  /** Code for a clientOrderId already used by an open order (Aster documents none; Binance -4116). */
  duplicateClientOrderIdCode: number;
  v3NonceWindowMs: number;
  v3NonceMemory: number;
  wsPingIntervalMs: number;
  wsPongTimeoutMs: number;
  wsMaxLifetimeMs: number;
  wsMaxIncomingPerSec: number;
  wsMaxStreams: number;
}

export const ASTER_TUNING_DEFAULTS: AsterTuning = {
  weightPerMinute: ASTER_REQUEST_WEIGHT_PER_MINUTE,
  ordersPerMinute: ASTER_ORDERS_PER_MINUTE,
  banAfter429s: ASTER_BAN_AFTER_429S,
  banMs: ASTER_BAN_MS,
  duplicateClientOrderIdCode: ASTER_ERRORS.duplicateClientOrderId.code,
  v3NonceWindowMs: ASTER_V3_NONCE_WINDOW_MS,
  v3NonceMemory: ASTER_V3_NONCE_MEMORY,
  wsPingIntervalMs: ASTER_WS_PING_INTERVAL_MS,
  wsPongTimeoutMs: ASTER_WS_PONG_TIMEOUT_MS,
  wsMaxLifetimeMs: ASTER_WS_MAX_LIFETIME_MS,
  wsMaxIncomingPerSec: ASTER_WS_MAX_INCOMING_PER_SEC,
  wsMaxStreams: ASTER_WS_MAX_STREAMS,
};

/** The common front-end options plus optional Aster tuning (tests shorten the WS limits with it). */
export interface AsterVenueOptions extends VenueFrontEndOptions {
  aster?: Partial<AsterTuning>;
}
